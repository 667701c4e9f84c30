/**
 * pyinfra's `apk` operation module (being ported).
 *
 * @module
 */
export {};
