/**
 * pyinfra's `bsdinit` operation module (being ported).
 *
 * @module
 */
export {};
