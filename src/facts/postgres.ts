/**
 * pyinfra's `postgres` fact module (being ported).
 *
 * @module
 */
export {};
