/**
 * pyinfra's `sysvinit` operation module (being ported).
 *
 * @module
 */
export {};
