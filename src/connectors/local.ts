/**
 * `@local`: the machine tsinfra runs on, through `sh -c` (Deno.Command). Commands run in
 * their own process group (see `process.ts`) so that `_timeout` stops them and all
 * their children.
 *
 * @module
 */
import * as nodePath from "node:path";
import type { CommandOutput, Connector, RunOptions, TransferOptions } from "../core/connector.ts";
import { quote, StringCommand } from "../core/command.ts";
import { CommandError } from "../core/errors.ts";
import { runProcess } from "./process.ts";

let haveScript: boolean | undefined;

function onPath(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(nodePath.join(dir, program)).isFile) return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * The `@local` connector.
 *
 * @example
 * ```ts ignore
 * const local = new LocalConnector();
 * await local.connect();
 * const out = await local.runShellCommand(new StringCommand(["sh", "-c", "uname"]), { args });
 * ```
 */
export class LocalConnector implements Connector {
  connect(): Promise<void> {
    haveScript ??= onPath("script");
    return Promise.resolve();
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const { args, sink } = options;
    let text = command.raw();
    if (args._getPty && haveScript) {
      text = new StringCommand(["script", "-qec", quote(text), "/dev/null"]).raw();
    }
    const stdin = args._stdin === undefined
      ? undefined
      : Array.isArray(args._stdin)
      ? args._stdin.map((l) => (l.endsWith("\n") ? l : l + "\n")).join("")
      : args._stdin;
    return await runProcess(["sh", "-c", text], {
      stdin: stdin === undefined ? undefined : new TextEncoder().encode(stdin),
      timeout: args._timeout,
      sink,
    });
  }

  async #run(command: StringCommand, options: TransferOptions): Promise<CommandOutput> {
    return await this.runShellCommand(options.wrap(command), {
      args: { ...options.args, _stdin: undefined },
    });
  }

  async putFile(content: Uint8Array, dest: string, options: TransferOptions): Promise<void> {
    const { args } = options;
    const elevated = args._sudo || args._suUser || args._su || args._doas;
    if (!elevated) {
      // Same folder, then rename: atomic, and a failed write leaves the target as it was.
      const temp = `${nodePath.dirname(dest)}/.${
        nodePath.basename(dest)
      }.tsinfra-${crypto.randomUUID()}`;
      try {
        await Deno.writeFile(temp, content);
        await Deno.rename(temp, dest);
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw new CommandError(
          `Could not write ${dest}: ${error instanceof Error ? error.message : error}`,
        );
      }
      return;
    }
    // Write as ourselves to the temp folder, then move into place as the target user.
    const temp = `${options.tempDir ?? "/tmp"}/tsinfra-upload-${crypto.randomUUID()}`;
    try {
      await Deno.writeFile(temp, content, { mode: 0o644 });
      const move = new StringCommand([
        "cp",
        quote(temp),
        quote(`${dest}.tsinfra-tmp`),
        "&&",
        "mv",
        quote(`${dest}.tsinfra-tmp`),
        quote(dest),
      ]);
      const output = await this.#run(move, options);
      if (output.exitCode !== 0) {
        throw new CommandError(`Could not move upload into ${dest}: ${output.stderr.trim()}`);
      }
    } finally {
      await Deno.remove(temp).catch(() => {});
    }
  }

  async getFile(src: string, options: TransferOptions): Promise<Uint8Array> {
    const { args } = options;
    const elevated = args._sudo || args._suUser || args._su || args._doas;
    if (!elevated) {
      try {
        return await Deno.readFile(src);
      } catch (error) {
        throw new CommandError(
          `Could not read ${src}: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
    const temp = `${options.tempDir ?? "/tmp"}/tsinfra-download-${crypto.randomUUID()}`;
    try {
      const copy = new StringCommand([
        "cp",
        quote(src),
        quote(temp),
        "&&",
        "chmod",
        "644",
        quote(temp),
      ]);
      const output = await this.#run(copy, options);
      if (output.exitCode !== 0) {
        throw new CommandError(`Could not read ${src}: ${output.stderr.trim()}`);
      }
      return await Deno.readFile(temp);
    } finally {
      await this.#run(new StringCommand(["rm", "-f", quote(temp)]), options).catch(() => {});
    }
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
