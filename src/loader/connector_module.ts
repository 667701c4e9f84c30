/**
 * Connectors of the user's own (pyinfra's connector plugins): `--connectors MODULE`
 * names a TypeScript module whose default export maps inventory prefixes to connector
 * factories. The coordinator and every worker load it, as they load deploy files:
 *
 * ```ts ignore
 * import type { ConnectorFactory } from "tsinfra";
 * import { MyCloudConnector } from "./my_cloud.ts";
 *
 * export default {
 *   // hosts named @mycloud/NAME, or with data { connector: "@mycloud" }
 *   "@mycloud": (target, data) => new MyCloudConnector(target, data),
 * } satisfies Record<string, ConnectorFactory>;
 * ```
 *
 * @module
 */
import * as nodePath from "node:path";
import type { ConnectorFactory } from "../core/connector.ts";
import { ArgumentError } from "../core/errors.ts";
import { ModuleLoader } from "./module_loader.ts";

/** A connector prefix: `@` and a name, as the built-in ones (`@docker`). */
const PREFIX = /^@[A-Za-z0-9_-]+$/;

/**
 * Checks connectors given as data (`run({ connectors })`, a connector module's default
 * export): an object whose keys are prefixes (`@name`) and whose values are functions.
 *
 * @param value what was given
 * @param where what gave it, for messages (`--connectors my.ts`)
 * @returns the same object, typed
 * @throws {ArgumentError} naming `where` and what is wrong
 * @example
 * ```ts
 * import { checkConnectors } from "./connector_module.ts";
 * checkConnectors({ "@mine": () => ({}) }, "test"); // fine
 * try {
 *   checkConnectors({ mine: () => ({}) }, "test");
 * } catch (error) {
 *   (error as Error).message; // "test: connector prefix mine must be @ and a name, ..."
 * }
 * ```
 */
export function checkConnectors(
  value: unknown,
  where: string,
): Readonly<Record<string, ConnectorFactory>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ArgumentError(
      `${where}: the default export must map connector prefixes to factories, e.g. export default { "@mycloud": (target, data) => new MyConnector(target, data) }`,
    );
  }
  for (const [prefix, factory] of Object.entries(value)) {
    if (!PREFIX.test(prefix)) {
      throw new ArgumentError(
        `${where}: connector prefix ${prefix} must be @ and a name, as in @mycloud`,
      );
    }
    if (typeof factory !== "function") {
      throw new ArgumentError(
        `${where}: connector ${prefix} must be a function (target, data) => Connector`,
      );
    }
  }
  return value as Readonly<Record<string, ConnectorFactory>>;
}

// A module is evaluated once per thread, whoever asks for it.
const loader = new ModuleLoader("connectors");

/**
 * Loads a connector module (`--connectors MODULE`) and returns its connectors by prefix.
 *
 * @param file the module's path (relative to the working folder, or absolute)
 * @throws {ArgumentError} when the file is missing or its default export is not a map of
 * connector factories
 */
export async function loadConnectorModule(
  file: string,
): Promise<Readonly<Record<string, ConnectorFactory>>> {
  const full = nodePath.resolve(file);
  try {
    if (!Deno.statSync(full).isFile) throw new Error();
  } catch {
    throw new ArgumentError(`--connectors: no such module: ${file}`);
  }
  const module = await loader.import(full);
  return checkConnectors(module.default, `--connectors ${file}`);
}
