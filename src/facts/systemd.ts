/**
 * pyinfra's `systemd` fact module (being ported).
 *
 * @module
 */
export {};
