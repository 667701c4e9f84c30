/**
 * The single binary, checked as far as this machine allows. `deno compile` downloads
 * its runtime (denort), which cannot be reached here, so the runtime is a STAND-IN: a
 * copy of /bin/true given through DENORT_BIN. The compile step itself, the payload it
 * appends and the SHA256SUMS file are real; running the binary is not possible here.
 *
 * @module
 */
import * as path from "node:path";
import { createHash } from "node:crypto";
import { assertEquals } from "../_assert.ts";
import { ROOT, run } from "../_cli.ts";

function assert(condition: unknown, message?: string): void {
  if (!condition) throw new Error(message ?? "assertion failed");
}

/**
 * Every local module the CLI, the worker and the library load at run time: deno info's
 * graph, following code imports only (type-only imports load nothing).
 */
async function localModules(): Promise<string[]> {
  type Dependency = { code?: { specifier: string } };
  const files = new Set<string>();
  for (const entry of ["cli.ts", "mod.ts", "src/runner/worker.ts"]) {
    const info = await run(Deno.execPath(), ["info", "--json", entry]);
    assertEquals(info.code, 0, info.stderr);
    const graph = JSON.parse(info.stdout) as {
      roots: string[];
      modules: { specifier: string; dependencies?: Dependency[] }[];
    };
    const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
    const queue = [...graph.roots];
    while (queue.length) {
      const specifier = queue.pop()!;
      if (!specifier.startsWith("file://")) continue;
      const file = new URL(specifier).pathname;
      if (files.has(file)) continue;
      files.add(file);
      for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
        if (dependency.code) queue.push(dependency.code.specifier);
      }
    }
  }
  return [...files];
}

function includes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(
    Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength),
  );
}

Deno.test("deno task compile (stand-in runtime): the payload holds every module, no type packages or build helpers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-compile-" });
  try {
    const standIn = path.join(dir, "denort-stand-in");
    await Deno.copyFile("/bin/true", standIn);
    const out = path.join(dir, "dist");
    const target = "x86_64-unknown-linux-gnu";
    const compiled = await run(
      Deno.execPath(),
      ["run", "-A", "scripts/compile.ts", "--target", target, "--out", out],
      ROOT,
      { DENORT_BIN: standIn },
    );
    assertEquals(compiled.code, 0, compiled.stdout + compiled.stderr);
    const listing = compiled.stdout + compiled.stderr;
    for (const left of ["@types", "nan/", "buildcheck/", "cpu-features/"]) {
      assert(!listing.includes(left), `${left} is in the payload:\n${listing}`);
    }
    const binary = await Deno.readFile(path.join(out, `tsinfra-${target}`));
    const payloadMb = (binary.length - (await Deno.stat(standIn)).size) / 1e6;
    console.log(`payload: ${payloadMb.toFixed(2)} MB`);

    const modules = await localModules();
    const missing = [];
    for (const file of modules) {
      if (!includes(binary, await Deno.readFile(file))) missing.push(path.relative(ROOT, file));
    }
    console.log(`modules of the CLI, the worker and mod.ts in the payload: ${modules.length}`);
    assertEquals(missing, []);
    assert(modules.some((m) => m.endsWith("src/runner/worker.ts")));
    assert(modules.some((m) => m.endsWith("src/cli/deploy.ts")), "verbs are found by deno info");

    const sums = await Deno.readTextFile(path.join(out, "SHA256SUMS"));
    const digest = createHash("sha256").update(binary).digest("hex");
    assertEquals(sums, `${digest}  tsinfra-${target}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nothing at run time reads the library's own sources from disk", async () => {
  const offenders: string[] = [];
  const reads =
    /(Deno\.(readTextFile|readFile|readDir|open|stat|lstat)(Sync)?|fetch)\([^;]*(import\.meta|LIBRARY_ROOT)/;
  for await (const file of walk(path.join(ROOT, "src"))) {
    const text = await Deno.readTextFile(file);
    text.split("\n").forEach((line, i) => {
      if (reads.test(line)) offenders.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assertEquals(offenders, []);
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) yield* walk(full);
    else if (entry.name.endsWith(".ts")) yield full;
  }
}

Deno.test("the CLI runs with node and npm absent from PATH", async () => {
  const bin = await Deno.makeTempDir({ prefix: "tsinfra-no-node-" });
  try {
    for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
      for await (const entry of Deno.readDir(dir)) {
        if (/^(node|nodejs|npm|npx|corepack)$/.test(entry.name)) continue;
        await Deno.symlink(path.join(dir, entry.name), path.join(bin, entry.name)).catch(() => {});
      }
    }
    const env = { PATH: bin };
    const which = await run("/bin/sh", ["-c", "command -v node npm npx || true"], ROOT, env);
    assertEquals(which.stdout, "");
    const result = await run(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--no-lock",
        path.join(ROOT, "cli.ts"),
        "@local",
        "server.shell",
        "commands=echo no-node-here",
        "--dry",
      ],
      bin,
      env,
    );
    assertEquals(result.code, 0, result.stdout + result.stderr);
    assert(/Change: 1/.test(result.stdout), result.stdout);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
