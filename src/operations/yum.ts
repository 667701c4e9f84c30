/**
 * pyinfra's `yum` operation module (being ported).
 *
 * @module
 */
export {};
