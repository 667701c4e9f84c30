/**
 * pyinfra's `sysvinit` fact module (being ported).
 *
 * @module
 */
export {};
