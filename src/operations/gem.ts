/**
 * pyinfra's `gem` operation module (being ported).
 *
 * @module
 */
export {};
