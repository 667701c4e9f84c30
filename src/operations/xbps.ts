/**
 * pyinfra's `xbps` operation module (being ported).
 *
 * @module
 */
export {};
