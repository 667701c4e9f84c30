/**
 * pyinfra's `systemd` operation module (being ported).
 *
 * @module
 */
export {};
