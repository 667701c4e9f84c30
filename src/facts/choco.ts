/**
 * pyinfra's `choco` fact module (being ported).
 *
 * @module
 */
export {};
