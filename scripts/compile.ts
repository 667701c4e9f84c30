/**
 * `deno task compile`: one tsinfra executable per platform in dist/, and SHA256SUMS.
 *
 *   deno task compile                          every target
 *   deno task compile --target x86_64-unknown-linux-gnu --out DIR
 *
 * The payload is the CLI, the library (`mod.ts`, which deploys bind to) and the worker,
 * with only the npm packages they import: no type packages (`@types/*`) and none of
 * ssh2's native-build helpers (`nan`, `buildcheck`, `cpu-features`: ssh2 runs without
 * them). `deno compile` downloads the runtime for each target; `DENORT_BIN` points it at
 * a local one instead.
 *
 * @module
 */
import * as path from "node:path";
import { createHash } from "node:crypto";

/** The platforms a release carries. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** npm packages ssh2 lists as optional native helpers: never needed at run time. */
export const EXCLUDED_PACKAGES = ["nan", "buildcheck", "cpu-features"];

/** Folders of packages that only browsers load (nunjucks' prebuilt bundles, 1.6 MB). */
export const EXCLUDED_SUBFOLDERS: Record<string, string> = { nunjucks: "browser" };

const ROOT = path.resolve(import.meta.dirname!, "..");

function npmCacheDir(): string {
  const info = new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync();
  const dir = JSON.parse(new TextDecoder().decode(info.stdout)).npmCache as string;
  return path.join(dir, "registry.npmjs.org");
}

/** Each cached version's folder of `name` (--exclude takes exact folders). */
function versionFolders(npmCache: string, name: string): string[] {
  try {
    return [...Deno.readDirSync(path.join(npmCache, name))]
      .filter((e) => e.isDirectory)
      .map((e) => path.join(npmCache, name, e.name));
  } catch {
    return []; // not in the cache: not embedded either
  }
}

/** The folders left out of the payload. */
function excludedFolders(npmCache: string): string[] {
  return [
    ...EXCLUDED_PACKAGES.flatMap((name) => versionFolders(npmCache, name)),
    ...Object.entries(EXCLUDED_SUBFOLDERS).flatMap(([name, sub]) =>
      versionFolders(npmCache, name).map((folder) => path.join(folder, sub))
    ),
  ];
}

/** The `deno compile` arguments for one target. */
export function compileArgs(target: string, output: string, npmCache: string): string[] {
  return [
    "compile",
    "--allow-all",
    "--no-check",
    "--exclude-unused-npm",
    ...excludedFolders(npmCache).flatMap((folder) => ["--exclude", folder]),
    "--include",
    "mod.ts",
    "--include",
    "src/runner/worker.ts",
    "--target",
    target,
    "--output",
    output,
    "cli.ts",
  ];
}

async function sha256(file: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(file)).digest("hex");
}

if (import.meta.main) {
  const args = [...Deno.args];
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at < 0 ? undefined : args[at + 1];
  };
  const targets = option("--target") ? [option("--target")!] : TARGETS;
  const out = path.resolve(option("--out") ?? path.join(ROOT, "dist"));
  await Deno.mkdir(out, { recursive: true });
  const npmCache = npmCacheDir();
  const sums: string[] = [];
  for (const target of targets) {
    const name = `tsinfra-${target}${target.includes("windows") ? ".exe" : ""}`;
    const output = path.join(out, name);
    const result = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, output, npmCache),
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!result.success) {
      console.error(`compile: deno compile failed for ${target}`);
      Deno.exit(1);
    }
    sums.push(`${await sha256(output)}  ${name}`);
  }
  await Deno.writeTextFile(path.join(out, "SHA256SUMS"), sums.join("\n") + "\n");
  console.log(`compile: ${targets.length} executable(s) and SHA256SUMS in ${out}`);
}
