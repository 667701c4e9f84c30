/**
 * Runs an operation's generator for a unit test: facts come from a table (like the
 * fixtures) or from the real local machine, and commands are returned as text.
 *
 * @module
 */
import type { Operation, OperationContext } from "../../src/core/operation.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import { GLOBAL_ARGUMENT_DEFAULTS } from "../../src/core/arguments.ts";
import { DiskFiles, type LocalFiles } from "../../src/core/local_files.ts";
import { Host } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { commandToJson } from "../../scripts/fixtures/cases.ts";

/** The outcome of one generator run. */
export interface Generated {
  commands: unknown[];
  noop?: string;
}

/** Runs `operation` with facts read from the real local machine (nothing is executed). */
export async function generateLocally<A>(
  operation: Operation<A>,
  args: A,
  cwd = Deno.cwd(),
): Promise<Generated> {
  const host = new Host({
    name: "@local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });
  let noop: string | undefined;
  const ctx: OperationContext = {
    host: {
      name: host.name,
      data: {},
      groups: [],
      getFact: <T, F extends FactArgs>(fact: Fact<T, F>, factArgs?: Partial<F>) =>
        host.getFact(fact, factArgs),
    },
    globals: { ...GLOBAL_ARGUMENT_DEFAULTS },
    local: new DiskFiles(cwd),
    noop: (reason) => (noop = reason),
    tempFilename: () => "/tmp/tsinfra-unit-temp",
    privateTempFilename: () => "/tmp/tsinfra-unit-temp",
    timestamp: () => "a-timestamp",
    templateGlobals: { host: { name: "@local" } },
  };
  const commands: unknown[] = [];
  for await (const command of operation.generate(args, ctx)) commands.push(commandToJson(command));
  return { commands, noop };
}

/** How {@linkcode generateWith} answers facts and what else the context holds. */
export interface FakeContextOptions {
  /** The value of a fact, by pyinfra's fact name and the arguments the operation passes. */
  facts?: (name: string, args: Record<string, unknown>) => unknown;
  /** The controller's files. @default {new DiskFiles()} */
  local?: LocalFiles;
  /** The host's name. @default {"somehost"} */
  hostName?: string;
  /** The host's data. @default {{}} */
  hostData?: Record<string, unknown>;
  /** Template globals. @default {{ host: { name } }} */
  templateGlobals?: Record<string, unknown>;
}

/** Runs `operation` with facts from a function (no host at all), commands as fixture JSON. */
export async function generateWith<A>(
  operation: Operation<A>,
  args: A,
  options: FakeContextOptions = {},
): Promise<Generated> {
  const name = options.hostName ?? "somehost";
  let noop: string | undefined;
  const ctx: OperationContext = {
    host: {
      name,
      data: options.hostData ?? {},
      groups: [],
      getFact: <T, F extends FactArgs>(fact: Fact<T, F>, factArgs?: Partial<F>) =>
        Promise.resolve(
          (options.facts?.(fact.name, { ...factArgs }) ?? null) as T,
        ),
    },
    globals: { ...GLOBAL_ARGUMENT_DEFAULTS },
    local: options.local ?? new DiskFiles(),
    noop: (reason) => (noop = reason),
    tempFilename: () => "/tmp/tsinfra-unit-temp",
    privateTempFilename: () => "/tmp/tsinfra-unit-temp",
    timestamp: () => "a-timestamp",
    templateGlobals: options.templateGlobals ?? { host: { name } },
  };
  const commands: unknown[] = [];
  for await (const command of operation.generate(args, ctx)) commands.push(commandToJson(command));
  return { commands, noop };
}

/** Runs shell text with a real `sh -c` in `cwd`. */
export async function sh(
  text: string,
  cwd: string,
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("sh", { args: ["-c", text], cwd, env }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}
