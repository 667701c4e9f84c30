/**
 * pyinfra's `deb` fact module (being ported).
 *
 * @module
 */
export {};
