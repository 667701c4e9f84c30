/**
 * Operations and facts of the user's own modules, named on the command line as pyinfra
 * names them: `tsinfra @local fact mymodule.MyFact` or `tsinfra @local mymodule.myOp`
 * loads `./mymodule.ts` (or `./mymodule/mod.ts`) of the working folder, whose
 * `defineFact`/`defineOperation` calls add them to the catalogue.
 *
 * @module
 */
import * as nodePath from "node:path";
import { registeredFacts } from "../core/fact.ts";
import { registeredOperations } from "../core/operation.ts";
import { ModuleLoader } from "./module_loader.ts";

// One instance for every caller in a process: a module is evaluated (and registers) once.
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
 * one of tsinfra's own and the file exists in `cwd`; else undefined.
 */
export function customModuleFile(name: string, cwd: string): string | undefined {
  const module = name.split(".")[0];
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(module)) return undefined;
  const known = [...registeredOperations().keys(), ...registeredFacts().keys()]
    .some((n) => n.startsWith(module + "."));
  if (known) return undefined;
  return [
    nodePath.join(cwd, `${module}.ts`),
    nodePath.join(cwd, module, "mod.ts"),
  ].find(isFile);
}

/** Loads a user module of operations or facts (once per process). */
export async function loadCustomModule(file: string): Promise<void> {
  await loader.import(file);
}
