/**
 * pyinfra's `pkgin` fact module (being ported).
 *
 * @module
 */
export {};
