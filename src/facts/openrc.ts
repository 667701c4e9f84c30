/**
 * pyinfra's `openrc` fact module (being ported).
 *
 * @module
 */
export {};
