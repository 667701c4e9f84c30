/**
 * pyinfra's `docker` operation module (being ported).
 *
 * @module
 */
export {};
