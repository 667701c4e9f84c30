/**
 * pyinfra's `puppet` operation module (being ported).
 *
 * @module
 */
export {};
