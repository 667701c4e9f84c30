/**
 * pyinfra's `upstart` fact module (being ported).
 *
 * @module
 */
export {};
