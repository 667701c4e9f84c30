/**
 * pyinfra's `pip` operation module (being ported).
 *
 * @module
 */
export {};
