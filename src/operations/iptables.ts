/**
 * pyinfra's `iptables` operation module (being ported).
 *
 * @module
 */
export {};
