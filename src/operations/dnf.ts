/**
 * pyinfra's `dnf` operation module (being ported).
 *
 * @module
 */
export {};
