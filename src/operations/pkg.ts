/**
 * pyinfra's `pkg` operation module (being ported).
 *
 * @module
 */
export {};
