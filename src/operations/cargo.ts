/**
 * pyinfra's `cargo` operation module (being ported).
 *
 * @module
 */
export {};
