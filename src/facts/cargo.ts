/**
 * pyinfra's `cargo` fact module (being ported).
 *
 * @module
 */
export {};
