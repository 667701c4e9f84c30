/**
 * pyinfra's `upstart` operation module (being ported).
 *
 * @module
 */
export {};
