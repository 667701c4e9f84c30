/**
 * pyinfra's `docker` fact module (being ported).
 *
 * @module
 */
export {};
