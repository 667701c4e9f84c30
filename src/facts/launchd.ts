/**
 * pyinfra's `launchd` fact module (being ported).
 *
 * @module
 */
export {};
