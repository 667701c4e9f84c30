/**
 * A look at a deploy's imports before any host runs it: every module is read, stripped
 * and rewritten once (not evaluated), so that a copy of the library of another version
 * is reported once for the run, and a file that cannot load fails before anything runs.
 *
 * @module
 */
import { ModuleLoader } from "./module_loader.ts";
import { setLibraryWarningSink } from "./library_imports.ts";

/**
 * Resolves the imports of `files` and their user modules.
 *
 * @returns the warnings about library copies of another version
 */
export async function scanLibraryImports(files: string[]): Promise<string[]> {
  const warnings: string[] = [];
  setLibraryWarningSink((message) => warnings.push(message));
  try {
    const loader = new ModuleLoader("scan");
    for (const file of files) await loader.urlFor(file);
  } finally {
    setLibraryWarningSink(() => {});
  }
  return warnings;
}
