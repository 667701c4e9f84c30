/**
 * pyinfra's `zypper` operation module (being ported).
 *
 * @module
 */
export {};
