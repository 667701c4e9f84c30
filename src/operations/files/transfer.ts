/**
 * Compatibility re-exports for modules written against the earlier layout
 * (`server/commands.ts`, `server/users.ts`, `server/system.ts`); new code imports from
 * the per-operation modules.
 *
 * @module
 */
export { put, putContent } from "./put.ts";
export { template } from "./template.ts";
export { get } from "./get.ts";
export { sync } from "./sync.ts";
