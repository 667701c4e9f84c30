/**
 * pyinfra's `gem` fact module (being ported).
 *
 * @module
 */
export {};
