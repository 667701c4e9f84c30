/**
 * pyinfra's `yum` fact module (being ported).
 *
 * @module
 */
export {};
