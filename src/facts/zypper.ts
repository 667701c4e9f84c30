/**
 * pyinfra's `zypper` fact module (being ported).
 *
 * @module
 */
export {};
