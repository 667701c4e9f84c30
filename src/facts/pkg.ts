/**
 * pyinfra's `pkg` fact module (being ported).
 *
 * @module
 */
export {};
