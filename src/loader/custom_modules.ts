/**
 * Operations and facts of the user's own modules, named on the command line as pyinfra
 * names them: `tsinfra @local fact mymodule.MyFact` or `tsinfra @local mymodule.myOp`
 * loads `./mymodule.ts` (or `./mymodule/mod.ts`) of the working folder, whose exported
 * `defineFact`/`defineOperation` values make its catalogue.
 *
 * @module
 */
import * as nodePath from "node:path";
import { type Catalogue, catalogueModules, catalogueOf } from "../core/catalogue.ts";
import { ModuleLoader } from "./module_loader.ts";

// One instance for every caller in a process: a module is evaluated once (a cache of
// evaluated modules, as Deno's own; it registers nothing anywhere).
const loader = new ModuleLoader("custom-modules");

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The file of a user module that `name` (`module.Name`) refers to, when `module` is not
 * one of `known`'s and the file exists in `cwd`; else undefined.
 *
 * @param name an operation or fact name (`mymodule.myOp`)
 * @param cwd the folder the module is looked up in
 * @param known the catalogue whose modules are not looked up on disk
 */
export function customModuleFile(
  name: string,
  cwd: string,
  known: Catalogue,
): string | undefined {
  const module = name.split(".")[0];
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(module)) return undefined;
  if (catalogueModules(known).has(module)) return undefined;
  return [
    nodePath.join(cwd, `${module}.ts`),
    nodePath.join(cwd, module, "mod.ts"),
  ].find(isFile);
}

/**
 * Loads a user module of operations or facts (evaluated once per process) and returns
 * the catalogue of what it exports.
 */
export async function loadCustomModule(file: string): Promise<Catalogue> {
  return catalogueOf(await loader.import(file));
}
