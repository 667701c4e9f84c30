/**
 * The built-in catalogue: every operation and fact that tsinfra's own modules export,
 * by name. The command line, the workers and API mode start from it; custom modules
 * (`tsinfra @local mymodule.myOp`) add theirs to a copy.
 *
 * @module
 */
import { type Catalogue, catalogueOf } from "./core/catalogue.ts";
import * as operations from "./operations/mod.ts";
import * as facts from "./facts/mod.ts";

/**
 * tsinfra's own operations and facts.
 *
 * @example
 * ```ts
 * import { BUILTIN_CATALOGUE } from "./catalogue.ts";
 * if (!BUILTIN_CATALOGUE.operations.has("files.line")) throw new Error("missing");
 * if (!BUILTIN_CATALOGUE.facts.has("server.LinuxName")) throw new Error("missing");
 * ```
 */
export const BUILTIN_CATALOGUE: Catalogue = catalogueOf(operations, facts);
