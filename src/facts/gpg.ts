/**
 * pyinfra's `gpg` fact module (being ported).
 *
 * @module
 */
export {};
