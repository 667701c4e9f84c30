/**
 * Helpers of the @local connector tests: arguments, wrapped runs, temporary folders that
 * are always removed, and tests that need root (failing under CI=true rather than
 * being skipped).
 *
 * @module
 */
import { type ConnectorArguments, GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import { StringCommand } from "../../src/core/command.ts";
import type { CommandOutput, OutputSink, TransferOptions } from "../../src/core/connector.ts";
import { wrapCommand } from "../../src/core/wrap.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { assertEquals } from "../_assert.ts";
import { runCommand } from "../../src/core/run_command.ts";

export const IS_ROOT = Deno.uid() === 0;
export const IN_CI = Deno.env.get("CI") === "true";

export function argsOf(extra: Partial<ConnectorArguments> = {}): ConnectorArguments {
  return { ...GLOBAL_ARGUMENT_DEFAULTS, ...extra };
}

/** Runs `text` on `local`, wrapped as `extra` asks, as the engine does. */
export async function run(
  local: LocalConnector,
  text: string | StringCommand,
  extra: Partial<ConnectorArguments> = {},
  sink?: OutputSink,
): Promise<CommandOutput> {
  const args = argsOf(extra);
  const command = typeof text === "string" ? new StringCommand([text]) : text;
  return await runCommand(local, wrapCommand(command, args), { args, sink });
}

/** Transfer options for `extra`, as the engine builds them. */
export function transfer(
  extra: Partial<ConnectorArguments> = {},
  tempDir?: string,
): TransferOptions {
  const args = argsOf(extra);
  return { args, tempDir, wrap: (command) => wrapCommand(command, args) };
}

/** A connected LocalConnector, disconnected after `fn`, even when it fails. */
export async function withLocal(fn: (local: LocalConnector) => Promise<void>): Promise<void> {
  const local = new LocalConnector();
  await local.connect();
  try {
    await fn(local);
  } finally {
    await local.disconnect();
  }
}

/** A temporary folder (mode `mode`, so other users may enter it), always removed. */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
  mode = 0o755,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-local-" });
  try {
    await Deno.chmod(dir, mode);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A test that needs root (sudo, su, other owners). Elsewhere it is skipped with a name
 * that says so, except under CI=true, where it fails: CI must run everything.
 */
export function rootTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  if (IS_ROOT) Deno.test(name, fn);
  else if (IN_CI) {
    Deno.test(name, () => {
      throw new Error("CI=true: this test needs root, and skipping is not allowed in CI");
    });
  } else Deno.test({ name: `${name} (skipped: needs root)`, ignore: true, fn });
}

export function check(condition: boolean, message?: string): void {
  assertEquals(condition, true, message);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether process `pid` is gone (or a zombie) within `withinMs`. */
export async function processGone(pid: number, withinMs = 3000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    let stat: string;
    try {
      stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    } catch {
      return true;
    }
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return true;
    await delay(50);
  }
  return false;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch {
    return false;
  }
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
