/**
 * pyinfra's `brew` fact module (being ported).
 *
 * @module
 */
export {};
