/**
 * pyinfra's `xbps` fact module (being ported).
 *
 * @module
 */
export {};
