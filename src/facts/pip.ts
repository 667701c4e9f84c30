/**
 * pyinfra's `pip` fact module (being ported).
 *
 * @module
 */
export {};
