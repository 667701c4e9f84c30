/**
 * pyinfra's `snap` fact module (being ported).
 *
 * @module
 */
export {};
