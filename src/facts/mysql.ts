/**
 * pyinfra's `mysql` fact module (being ported).
 *
 * @module
 */
export {};
