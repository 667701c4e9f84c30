/**
 * pyinfra's `lxd` fact module (being ported).
 *
 * @module
 */
export {};
