/**
 * Every operation module, by pyinfra's module name (pyinfra's `python` is `js`).
 *
 * @module
 */
export * as files from "./files.ts";
export * as js from "./js.ts";
export * as server from "./server.ts";
