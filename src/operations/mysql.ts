/**
 * pyinfra's `mysql` operation module (being ported).
 *
 * @module
 */
export {};
