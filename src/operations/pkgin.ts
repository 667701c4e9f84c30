/**
 * pyinfra's `pkgin` operation module (being ported).
 *
 * @module
 */
export {};
