/**
 * pyinfra's `vzctl` operation module (being ported).
 *
 * @module
 */
export {};
