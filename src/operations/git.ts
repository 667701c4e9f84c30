/**
 * pyinfra's `git` operation module (being ported).
 *
 * @module
 */
export {};
