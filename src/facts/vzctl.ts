/**
 * pyinfra's `vzctl` fact module (being ported).
 *
 * @module
 */
export {};
