/**
 * pyinfra's `pacman` fact module (being ported).
 *
 * @module
 */
export {};
