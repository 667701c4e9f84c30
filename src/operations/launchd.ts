/**
 * pyinfra's `launchd` operation module (being ported).
 *
 * @module
 */
export {};
