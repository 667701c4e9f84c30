/**
 * pyinfra's `brew` operation module (being ported).
 *
 * @module
 */
export {};
