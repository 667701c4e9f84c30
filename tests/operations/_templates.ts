/**
 * Shared by the template tests: a temporary controller folder with files, and the
 * context `renderTemplate` needs.
 *
 * @module
 */
import * as path from "node:path";
import { DiskFiles } from "../../src/core/local_files.ts";

/** A temporary controller folder with `files`, removed afterwards, also on failure. */
export async function withTemplates(
  files: Record<string, string>,
  fn: (dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-tpl-" }));
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await Deno.writeTextFile(path.join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The controller files of `dir` and the globals a host `web1` gives its templates. */
export const templateContext = (dir: string) => ({
  local: new DiskFiles(dir),
  templateGlobals: { host: { name: "web1", data: { port: 8080 } }, inventory: { size: 3 } },
});
