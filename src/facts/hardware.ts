/**
 * pyinfra's `hardware` fact module (being ported).
 *
 * @module
 */
export {};
