/**
 * pyinfra's `bsdinit` fact module (being ported).
 *
 * @module
 */
export {};
