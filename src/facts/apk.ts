/**
 * pyinfra's `apk` fact module (being ported).
 *
 * @module
 */
export {};
