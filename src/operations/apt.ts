/**
 * pyinfra's `apt` operation module (being ported).
 *
 * @module
 */
export {};
