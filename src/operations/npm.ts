/**
 * pyinfra's `npm` operation module (being ported).
 *
 * @module
 */
export {};
