/**
 * pyinfra's `lxd` operation module (being ported).
 *
 * @module
 */
export {};
