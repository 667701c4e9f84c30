/**
 * Running programs from tests: any program with its output decolourised, and the
 * tsinfra CLI itself (`deno run -A cli.ts ...`) in a given folder.
 *
 * @module
 */
import * as path from "node:path";
import { stripColours } from "../src/cli/style.ts";

/** The checkout's root. */
export const ROOT: string = path.resolve(import.meta.dirname!, "..");

/**
 * The bench's connector module: with `--connectors SIM_CONNECTORS`, hosts named
 * `@sim/NAME` are simulated ones (every command succeeds with no output).
 */
export const SIM_CONNECTORS: string = path.join(ROOT, "scripts/bench/sim_connectors.ts");

/** What a finished program left. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `program` with no stdin and NO_COLOR, in `cwd` (the checkout by default). */
export async function run(
  program: string,
  args: string[],
  cwd = ROOT,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const output = await new Deno.Command(program, {
    args,
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const text = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

/** Runs the tsinfra CLI in `cwd`. */
export function tsinfraIn(cwd: string, ...args: string[]): Promise<RunResult> {
  return tsinfraWith(cwd, args);
}

/** Runs the tsinfra CLI in `cwd` with these variables added to its environment. */
export function tsinfraWith(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  // --no-lock: deploys that import npm: or https: modules must not touch the tool's lock.
  return run(
    Deno.execPath(),
    ["run", "--allow-all", "--no-lock", path.join(ROOT, "cli.ts"), ...args],
    cwd,
    env,
  );
}

/** How long to wait for an event, scaled by TSINFRA_TEST_TIMEOUT_SCALE on slow machines. */
export const WAIT_MS: number = 60_000 *
  Number(Deno.env.get("TSINFRA_TEST_TIMEOUT_SCALE") ?? "1");

/** Polls `check` until it holds; fails naming `what` after {@linkcode WAIT_MS}. */
export async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the tsinfra CLI in `cwd`; `signal` sends it a signal; `done` gives its exit and output. */
export function startTsinfra(
  cwd: string,
  args: string[],
): { signal: (signal: Deno.Signal) => void; done: Promise<RunResult> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-lock", path.join(ROOT, "cli.ts"), ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const text = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
  const done = child.output().then((out) => ({
    code: out.code,
    stdout: text(out.stdout),
    stderr: text(out.stderr),
  }));
  return { signal: (signal) => child.kill(signal), done };
}
