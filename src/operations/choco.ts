/**
 * pyinfra's `choco` operation module (being ported).
 *
 * @module
 */
export {};
