/**
 * pyinfra's `selinux` fact module (being ported).
 *
 * @module
 */
export {};
