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
