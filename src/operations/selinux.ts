/**
 * pyinfra's `selinux` operation module (being ported).
 *
 * @module
 */
export {};
