/**
 * Every operation module, by pyinfra's module name.
 *
 * @module
 */
export * as files from "./files.ts";
export * as server from "./server.ts";
