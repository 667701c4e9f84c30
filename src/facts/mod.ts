/**
 * Every fact module, by pyinfra's module name.
 *
 * @module
 */
export * as server from "./server.ts";
