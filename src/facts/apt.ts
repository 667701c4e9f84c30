/**
 * pyinfra's `apt` fact module (being ported).
 *
 * @module
 */
export {};
