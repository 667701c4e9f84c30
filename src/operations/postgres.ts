/**
 * pyinfra's `postgres` operation module (being ported).
 *
 * @module
 */
export {};
