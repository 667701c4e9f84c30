/**
 * pyinfra's `dnf` fact module (being ported).
 *
 * @module
 */
export {};
