/**
 * `@chroot/PATH`: commands run with `chroot PATH sh -c ...` (a debootstrap tree, say).
 * Uploads are written into the tree's temp folder from outside, then moved into place
 * inside the chroot with the same sudo/su wrapping.
 *
 * @module
 */
import * as nodePath from "node:path";
import type { CommandOutput, Connector, RunOptions, TransferOptions } from "../core/connector.ts";
import { quote, StringCommand } from "../core/command.ts";
import { CommandError, ConnectError } from "../core/errors.ts";
import { runProcess } from "./process.ts";
import { stagedUpload, stagingPath } from "./move.ts";
import { stdinText, withSecretInput } from "../core/wrap.ts";

/** The chroot connector. */
export class ChrootConnector implements Connector {
  readonly #root: string;

  constructor(root: string) {
    this.#root = nodePath.resolve(root);
  }

  async connect(): Promise<void> {
    let ok = false;
    try {
      ok = (await Deno.stat(this.#root)).isDirectory;
    } catch {
      throw new ConnectError(`@chroot${this.#root}: no such folder`);
    }
    if (!ok) throw new ConnectError(`@chroot${this.#root}: not a folder`);
    try {
      await Deno.stat(nodePath.join(this.#root, "bin/sh"));
    } catch {
      throw new ConnectError(`@chroot${this.#root}: no /bin/sh inside; is it a root filesystem?`);
    }
    const probe = await runProcess(["chroot", this.#root, "true"]);
    if (probe.exitCode !== 0) {
      throw new ConnectError(
        `@chroot${this.#root}: chroot failed: ${probe.stderr.trim() || `exit ${probe.exitCode}`}`,
      );
    }
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const { args, sink } = options;
    const text = withSecretInput(
      command,
      stdinText(args._stdin),
    );
    const stdin = text === undefined ? undefined : new TextEncoder().encode(text);
    return await runProcess(["chroot", this.#root, "sh", "-c", command.raw()], {
      stdin,
      timeout: args._timeout,
      sink,
    });
  }

  #outside(inside: string): string {
    return nodePath.join(this.#root, inside);
  }

  async putFile(
    content: Uint8Array,
    dest: string,
    options: TransferOptions,
  ): Promise<CommandOutput | void> {
    return await stagedUpload(this, content, dest, options, {
      stage: (temp) => Deno.writeFile(this.#outside(temp), content, { mode: 0o600 }),
      // A partly written staged file (a full disk) is removed.
      discard: (temp) => Deno.remove(this.#outside(temp)),
    });
  }

  async getFile(src: string, options: TransferOptions): Promise<Uint8Array> {
    const temp = stagingPath(options, "download");
    const copy = options.wrap(new StringCommand(["cp", quote(src), quote(temp)]));
    const copied = await this.runShellCommand(copy, {
      args: { ...options.args, _stdin: undefined },
    });
    if (copied.exitCode !== 0) {
      throw new CommandError(`Could not read ${src}: ${copied.stderr.trim()}`);
    }
    try {
      return await Deno.readFile(this.#outside(temp));
    } finally {
      await Deno.remove(this.#outside(temp)).catch(() => {});
    }
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
