/**
 * pyinfra's `rpm` fact module (being ported).
 *
 * @module
 */
export {};
