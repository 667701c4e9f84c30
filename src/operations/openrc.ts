/**
 * pyinfra's `openrc` operation module (being ported).
 *
 * @module
 */
export {};
