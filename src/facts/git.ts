/**
 * pyinfra's `git` fact module (being ported).
 *
 * @module
 */
export {};
