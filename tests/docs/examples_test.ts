/**
 * Every TypeScript example a user can copy runs as written: the README, the guides, and
 * the reference (docs/reference, which is also what `tsinfra help NAME` prints). Each
 * ```ts block is written into a project laid out as `tsinfra init` lays it out (its
 * deno.json maps `tsinfra` to this checkout) and type-checked with `deno check`; the
 * deploys of the README and the guides then run with `--dry` against @local. Blocks
 * marked ```ts ignore are fragments and are skipped.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals } from "../_assert.ts";
import { ROOT, run } from "../_cli.ts";
import { libraryImportMap } from "../../src/cli/import_map.ts";
import reference from "../../src/cli/reference.json" with { type: "json" };

interface Example {
  /** Where it is: file:line. */
  where: string;
  code: string;
  /** Deploys of the README and the guides run with --dry; reference examples are checked. */
  runnable: boolean;
}

function examplesIn(file: string, text: string, runnable: boolean): Example[] {
  const out: Example[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```ts(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    if (!/\bignore\b/.test(open[1])) {
      out.push({
        where: `${path.relative(ROOT, file)}:${start}`,
        code: lines.slice(start, end).join("\n") + "\n",
        runnable,
      });
    }
    i = end;
  }
  return out;
}

async function markdownFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) files.push(...await markdownFiles(full));
    else if (entry.name.endsWith(".md")) files.push(full);
  }
  return files.sort();
}

async function allExamples(): Promise<Example[]> {
  const examples: Example[] = [];
  const readme = path.join(ROOT, "README.md");
  examples.push(...examplesIn(readme, await Deno.readTextFile(readme), true));
  for (const file of await markdownFiles(path.join(ROOT, "docs/guides"))) {
    examples.push(...examplesIn(file, await Deno.readTextFile(file), true));
  }
  for (const file of await markdownFiles(path.join(ROOT, "docs/reference"))) {
    examples.push(...examplesIn(file, await Deno.readTextFile(file), false));
  }
  return examples;
}

/** A deploy: imports operations from tsinfra and is no API script or library module. */
function isDeploy(code: string): boolean {
  return /from "tsinfra"/.test(code) && !/\brun\(\{/.test(code) &&
    !/\bdefine(Operation|Fact)\b/.test(code) && !/^export /m.test(code);
}

/** Local files the example names (`./templates/x.eta`): empty stand-ins so prepare finds them. */
async function createReferencedFiles(dir: string, code: string): Promise<void> {
  for (const match of code.matchAll(/"(\.\/[\w./-]+\.\w+)"/g)) {
    const file = path.join(dir, match[1]);
    if (file.endsWith(".ts")) continue;
    await Deno.mkdir(path.dirname(file), { recursive: true });
    await Deno.writeTextFile(file, "");
  }
}

Deno.test("the reference and `tsinfra help` print the same examples", () => {
  const pages = Object.values(reference.operations).concat(Object.values(reference.facts));
  const withExample = pages.filter((p) => /\nExample:\n/.test(p)).length;
  // Every documented operation and fact carries an example.
  assertEquals(pages.length - withExample, 0);
});

Deno.test("every example of the README, the guides and the reference type-checks; the deploys run", async () => {
  const examples = await allExamples();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-doc-examples-" });
  try {
    const base = path.relative(dir, ROOT) + "/";
    await Deno.writeTextFile(
      path.join(dir, "deno.json"),
      JSON.stringify({ imports: libraryImportMap(base.startsWith(".") ? base : `./${base}`) }),
    );
    const names = examples.map((_, i) => `example_${i}.ts`);
    for (const [i, example] of examples.entries()) {
      await Deno.writeTextFile(path.join(dir, names[i]), example.code);
    }
    const check = await run(Deno.execPath(), ["check", "--no-lock", ...names], dir);
    const failed = new Set<string>();
    for (const match of check.stderr.matchAll(/at file:\/\/\S*\/example_(\d+)\.ts/g)) {
      failed.add(examples[Number(match[1])].where);
    }
    if (check.code !== 0) console.error(check.stderr.slice(0, 4000));
    assertEquals([...failed], []);
    assertEquals(check.code, 0, check.stderr);
    console.log(`${examples.length} examples type-check`);

    const runs: string[] = [];
    for (const [i, example] of examples.entries()) {
      if (!example.runnable || !isDeploy(example.code)) continue;
      const project = path.join(dir, `run_${i}`);
      await Deno.mkdir(project);
      await Deno.copyFile(path.join(dir, "deno.json"), path.join(project, "deno.json"));
      await Deno.writeTextFile(path.join(project, "deploy.ts"), example.code);
      await createReferencedFiles(project, example.code);
      const result = await run(
        Deno.execPath(),
        ["run", "-A", "--no-lock", path.join(ROOT, "cli.ts"), "@local", "deploy.ts", "--dry"],
        project,
      );
      if (result.code !== 0) runs.push(`${example.where}: ${result.stdout}${result.stderr}`);
      else runs.push("");
    }
    console.log(`${runs.length} deploys of the README and the guides run with --dry`);
    assertEquals(runs.filter(Boolean), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
