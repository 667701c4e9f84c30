/**
 * pyinfra's `snap` operation module (being ported).
 *
 * @module
 */
export {};
