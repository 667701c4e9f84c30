/**
 * pyinfra's `iptables` fact module (being ported).
 *
 * @module
 */
export {};
