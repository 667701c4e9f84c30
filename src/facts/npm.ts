/**
 * pyinfra's `npm` fact module (being ported).
 *
 * @module
 */
export {};
