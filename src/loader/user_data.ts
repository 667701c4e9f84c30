/**
 * Reads a data module (group data, config): TypeScript/JavaScript modules through the
 * loader, JSON and YAML directly. A module's named exports are its keys; a default
 * export that is an object is merged in.
 *
 * @module
 */
import { parseYaml } from "../deps.ts";
import { DeployError } from "../core/errors.ts";
import { ModuleLoader } from "./module_loader.ts";

const DATA_EXTENSIONS = [".ts", ".js", ".mjs", ".json", ".yaml", ".yml"] as const;

/** The first existing `<base><ext>` for the data extensions, if any. */
export function findDataFile(base: string): string | undefined {
  for (const ext of DATA_EXTENSIONS) {
    try {
      if (Deno.statSync(base + ext).isFile) return base + ext;
    } catch {
      // not there: try the next extension
    }
  }
  return undefined;
}

function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new DeployError(`${path}: data must be an object of keys and values`);
  }
  return value as Record<string, unknown>;
}

/** Loads a data file as an object. */
export async function loadDataFile(
  path: string,
  loader = new ModuleLoader("data"),
): Promise<Record<string, unknown>> {
  if (/\.(json)$/i.test(path)) {
    try {
      return asRecord(JSON.parse(await Deno.readTextFile(path)), path);
    } catch (error) {
      if (error instanceof DeployError) throw error;
      throw new DeployError(
        `${path}: invalid JSON: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  if (/\.(ya?ml)$/i.test(path)) {
    try {
      return asRecord(parseYaml(await Deno.readTextFile(path)), path);
    } catch (error) {
      if (error instanceof DeployError) throw error;
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new DeployError(`${path}: invalid YAML: ${message}`);
    }
  }
  const module = await loader.import(path);
  const data: Record<string, unknown> = {};
  if (module.default !== undefined) Object.assign(data, asRecord(module.default, path));
  for (const [key, value] of Object.entries(module)) {
    if (key !== "default") data[key] = value;
  }
  return data;
}
