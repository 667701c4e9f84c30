/**
 * pyinfra's `pacman` operation module (being ported).
 *
 * @module
 */
export {};
