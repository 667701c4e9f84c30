/**
 * pyinfra's `ssh` operation module (being ported).
 *
 * @module
 */
export {};
