/**
 * `@ssh`: hosts reached over SSH with ssh2 (pyinfra's default connector). One connection
 * per host carries every command, each on its own channel; files move over SFTP through
 * a temporary file that a (sudo/su-wrapped) shell command moves into place.
 *
 * Host data: see {@linkcode SshHostData}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ClientChannel, SFTPWrapper, SshClient } from "../deps.ts";
import type { CommandOutput, Connector, RunOptions, TransferOptions } from "../core/connector.ts";
import { type ConnectorArguments, PLAIN_CONNECTOR_ARGUMENTS } from "../core/arguments.ts";
import { quote, StringCommand } from "../core/command.ts";
import {
  installCommand,
  installThen,
  splitInstallOutput,
  stagingError,
  stagingPath,
} from "./move.ts";
import { RUN_VARIABLE, runToken, stopByTokenCommand } from "./cancel.ts";
import { CommandError, ConnectError, HostDataError } from "../core/errors.ts";
import { stdinText, withSecretInput } from "../core/wrap.ts";
import { openSshConnection, type SshConnection } from "./ssh/connect.ts";
import { messageOf, resolveSshSettings, type SshSettings } from "./ssh/settings.ts";
import { CLOSE_GRACE, killChannel, MAX_CHANNELS, OPEN_RETRIES, Slots } from "./ssh/channels.ts";
import { isNoSuchFile, sftpMessage } from "./ssh/sftp.ts";
import { ShellSession } from "./ssh/shell.ts";

export type { SshHostData } from "./ssh/settings.ts";

/**
 * The `@ssh` connector.
 *
 * @example
 * ```ts ignore
 * const ssh = new SshConnector("web1", { sshUser: "deploy", sshKey: "~/.ssh/id_ed25519" });
 * await ssh.connect();
 * const out = await ssh.runShellCommand(new StringCommand(["uname"]), { args });
 * await ssh.disconnect();
 * ```
 */
export class SshConnector implements Connector {
  readonly #target: string;
  readonly #data: Readonly<Record<string, unknown>>;
  #settings: SshSettings | undefined;
  #connection: SshConnection | undefined;
  /** Why the connection ended, once it has. */
  #lost: string | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;
  #slots = new Slots(MAX_CHANNELS);
  /** Commands in flight, told when the connection drops. */
  #running = new Set<(reason: string) => void>();
  /** SFTP calls in flight, ended at once by cancel(). */
  #transfers = new Set<(reason: string) => void>();
  /** How many times cancel() was called: an upload started before a cancel is not moved into place. */
  #cancels = 0;
  /** The long-lived shell that runs plain commands (see ssh/shell.ts). */
  #shell: Promise<ShellSession> | undefined;
  /** sshd would not start the long-lived shell: every command has a channel of its own. */
  #shellRefused = false;
  /** The commands running now: their token, and how to end each as interrupted. */
  #channels = new Map<ClientChannel, { token: string; interrupted: () => void }>();

  /**
   * @param target the host to reach (the inventory name, or what follows `@ssh/`)
   * @param data the host's data (`sshUser`, `sshPort`, ...)
   */
  constructor(target: string, data: Readonly<Record<string, unknown>>) {
    this.#target = target;
    this.#data = data;
  }

  /**
   * Checks the host's SSH data (`sshPort`, `sshUser`, ...) without connecting: throws a
   * `HostDataError` for a value that cannot be used. Other problems (an unreadable SSH
   * config) are left to {@linkcode connect}.
   */
  checkData(): void {
    try {
      resolveSshSettings(this.#target, this.#data);
    } catch (error) {
      if (error instanceof HostDataError) throw error;
    }
  }

  async connect(): Promise<void> {
    if (this.#connection) return;
    const settings = resolveSshSettings(this.#target, this.#data);
    this.#settings = settings;
    const connection = await openSshConnection(settings, this.#target);
    this.#connection = connection;
    this.#lost = undefined;
    this.#shell = undefined;
    this.#shellRefused = false;
    const onGone = (reason: string) => {
      if (this.#connection !== connection) return;
      this.#lost ??= reason;
      for (const abort of [...this.#running]) abort(this.#lost);
    };
    connection.client.on("error", (error: Error) => onGone(error.message));
    connection.client.on("close", () => onGone("the connection was closed"));
  }

  /** The open connection, or a `ConnectError` saying why there is none. */
  #client(): SshClient {
    if (!this.#connection) throw new ConnectError(`Not connected to ${this.#target}`);
    if (this.#lost !== undefined) {
      throw new ConnectError(`Lost the connection to ${this.#target}: ${this.#lost}`);
    }
    return this.#connection.client;
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const { args } = options;
    // A plain command goes through the connection's long-lived shell when it is free;
    // input, a pty or a timer need a channel of their own.
    if (
      command.secretInput === undefined && args._stdin === undefined && !args._getPty &&
      !(args._timeout !== undefined && args._timeout > 0)
    ) {
      const shell = await this.#freeShell();
      // (Checked again: another command may have taken it while this one waited.)
      if (shell?.idle) return await this.#runInShell(shell, command, options);
    }
    return await this.#exec(command, options);
  }

  /**
   * The long-lived shell (see ssh/shell.ts) if it is free, opened on first use; none when
   * it is busy or sshd would not start it (every command then has its own channel).
   */
  async #freeShell(): Promise<ShellSession | undefined> {
    if (this.#shellRefused) return undefined;
    if (this.#shell === undefined || (await this.#shell.catch(() => undefined))?.closed) {
      const client = this.#client();
      this.#shell = (async () => {
        const release = await this.#slots.acquire();
        try {
          const shell = await ShellSession.open(client);
          shell.channel.once("close", release);
          return shell;
        } catch (error) {
          release();
          throw error;
        }
      })();
      this.#shell.catch(() => this.#shellRefused = true);
    }
    const shell = await this.#shell.catch(() => undefined);
    return shell?.idle ? shell : undefined;
  }

  async #runInShell(
    shell: ShellSession,
    command: StringCommand,
    options: RunOptions,
  ): Promise<CommandOutput> {
    const token = runToken();
    const onLost = (reason: string) => shell.close(`Connection lost: ${reason}`);
    this.#running.add(onLost);
    this.#channels.set(shell.channel, {
      token,
      interrupted: () => shell.close("Stopped (interrupted)"),
    });
    try {
      return await shell.run(`${RUN_VARIABLE}=${token} ${command.raw()}`, token, options.sink);
    } finally {
      this.#running.delete(onLost);
      this.#channels.delete(shell.channel);
    }
  }

  /** Runs a command on a channel of its own, as sshd runs any command. */
  async #exec(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const client = this.#client();
    for (let attempt = 1;; attempt++) {
      const release = await this.#slots.acquire();
      try {
        return await new Promise<CommandOutput>((resolve, reject) => {
          const input = withSecretInput(command, stdinText(options.args._stdin));
          // Every process of the command inherits this variable: cancel() finds them by it.
          const token = runToken();
          // exec throws "Not connected" at once when the socket is gone. The listeners
          // must be on the channel before this callback returns: ssh2 may emit "exit"
          // in the same tick, from the same batch of packets.
          client.exec(
            `${RUN_VARIABLE}=${token} ${command.raw()}`,
            { pty: options.args._getPty },
            (error, stream) =>
              error
                ? reject(error)
                : resolve(this.#collect(stream, release, options, input, token)),
          );
        });
      } catch (error) {
        release();
        if (this.#lost !== undefined) return lostOutput(this.#target, this.#lost);
        // sshd frees a finished session a moment after the channel closes, and may
        // allow fewer sessions than we assume (MaxSessions): wait, then try again.
        if (/open failed|open failure/i.test(messageOf(error)) && attempt < OPEN_RETRIES) {
          if (attempt % 3 === 0) this.#slots.shrink();
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
          continue;
        }
        throw new CommandError(`Could not start a command on ${this.#target}: ${messageOf(error)}`);
      }
    }
  }

  #collect(
    channel: ClientChannel,
    release: () => void,
    options: RunOptions,
    stdin: string | undefined,
    token: string,
  ) {
    const { args, sink } = options;
    return new Promise<CommandOutput>((resolve) => {
      const out = new TextDecoder("utf-8", { ignoreBOM: true });
      const err = new TextDecoder("utf-8", { ignoreBOM: true });
      let stdout = "";
      let stderr = "";
      let exitCode = -1;
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let grace: ReturnType<typeof setTimeout> | undefined;
      let released = false;
      const free = () => {
        if (released) return;
        released = true;
        if (grace !== undefined) clearTimeout(grace);
        release();
      };
      const finish = (result: Partial<CommandOutput> = {}) => {
        if (done) return;
        done = true;
        this.#channels.delete(channel);
        if (timer !== undefined) clearTimeout(timer);
        this.#running.delete(onLost);
        stdout += out.decode();
        stderr += err.decode();
        resolve({ exitCode, stdout, stderr, timedOut: false, ...result });
      };
      const onLost = (reason: string) => {
        free();
        finish({
          exitCode: -1,
          stderr: `${stderr}${stderr ? "\n" : ""}Connection lost: ${reason}`,
        });
      };
      this.#running.add(onLost);
      this.#channels.set(channel, {
        token,
        interrupted: () => {
          // The command ends now for the engine; sshd is given a moment to close it.
          grace = setTimeout(free, CLOSE_GRACE * 1000);
          finish({ exitCode: -1, stderr: `${stderr}${stderr ? "\n" : ""}Stopped (interrupted)` });
        },
      });
      channel.on("data", (chunk: Buffer) => {
        const text = out.decode(chunk, { stream: true });
        stdout += text;
        if (text) sink?.stdout?.(text);
      });
      channel.stderr.on("data", (chunk: Buffer) => {
        const text = err.decode(chunk, { stream: true });
        stderr += text;
        if (text) sink?.stderr?.(text);
      });
      channel.on("exit", (code: number | null) => {
        if (typeof code === "number") exitCode = code;
      });
      channel.on("close", () => {
        free();
        finish();
      });
      if (args._timeout !== undefined && args._timeout > 0) {
        timer = setTimeout(() => {
          // Ask sshd to kill the command's process group (see killChannel), then close
          // the channel; do not wait for the server to confirm.
          try {
            killChannel(channel);
            channel.close();
          } catch {
            // the connection is gone
          }
          grace = setTimeout(free, CLOSE_GRACE * 1000);
          finish({ exitCode: -1, timedOut: true });
        }, args._timeout * 1000);
      }
      if (stdin !== undefined) channel.write(stdin);
      channel.end();
    });
  }

  /**
   * Calls an SFTP method and waits for its callback, or for the connection to end
   * (ssh2 leaves the callbacks of a closed session uncalled).
   */
  #sftpCall<T = void>(
    fn: (cb: (error: Error | undefined | null, value: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.#connection || this.#lost !== undefined) {
        reject(new Error(`the connection is closed${this.#lost ? `: ${this.#lost}` : ""}`));
        return;
      }
      const abort = (reason: string) => reject(new Error(`the connection ended: ${reason}`));
      const stop = (reason: string) => reject(new Error(reason));
      this.#running.add(abort);
      this.#transfers.add(stop);
      fn((error, value) => {
        this.#running.delete(abort);
        this.#transfers.delete(stop);
        if (error) reject(error);
        else resolve(value);
      });
    });
  }

  /** The connection's SFTP session, opened on first use. */
  #sftpSession(): Promise<SFTPWrapper> {
    const client = this.#client();
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((error, sftp) => {
        if (error) {
          this.#sftp = undefined;
          reject(
            new CommandError(
              `Could not open SFTP on ${this.#target} (is sshd's sftp subsystem enabled?): ${error.message}`,
            ),
          );
        } else {
          // A session ended by cancel() may report errors for the calls it cut short:
          // those calls already failed; the event must not end the process.
          sftp.on("error", () => {});
          resolve(sftp);
        }
      });
    });
    return this.#sftp;
  }

  /** Runs a helper command (cp, mv, rm) wrapped like the transfer that needs it. */
  async #helper(command: StringCommand, options: TransferOptions): Promise<CommandOutput> {
    return await this.runShellCommand(options.wrap(command), {
      args: { ...options.args, _stdin: undefined, _getPty: false },
    });
  }

  async putFile(
    content: Uint8Array,
    dest: string,
    options: TransferOptions,
  ): Promise<CommandOutput | void> {
    const cancels = this.#cancels;
    const sftp = await this.#sftpSession();
    const temp = stagingPath(options, "upload");
    try {
      // Only we can read the temporary file, unless a user other than root must.
      await this.#sftpCall((cb) =>
        sftp.writeFile(temp, Buffer.from(content), { mode: 0o600, flag: "wx" }, cb)
      );
      if (needsReadableTemp(options.args)) {
        await this.#sftpCall((cb) => sftp.chmod(temp, 0o644, cb));
      }
    } catch (error) {
      // A partial copy is removed over a new SFTP session or with rm; when the connection
      // is gone, the message says the copy may remain.
      await this.#removeTemp(temp, options);
      const gone = this.#lost !== undefined || !this.#connection;
      throw await stagingError(
        this,
        dest,
        temp,
        sftpMessage(error) + (gone ? ` (the partial copy ${temp} may remain on the host)` : ""),
        content.length,
        options,
      );
    }
    if (this.#cancels !== cancels) {
      // Ctrl-C came while the copy was written: the target is left as it was.
      await this.#removeTemp(temp, options);
      throw new CommandError(`Upload of ${dest} interrupted: the target was left as it was`);
    }
    // A new file beside the target, then a rename: the target is replaced at once or not
    // at all, and an existing target keeps its mode and owner (see installCommand).
    const move = installThen(installCommand(temp, dest), options.then);
    try {
      const { failed, output } = splitInstallOutput(
        await this.#helper(move, options),
        options.then,
      );
      if (failed) {
        const reason = output.timedOut ? "timed out" : output.stderr.trim();
        throw new CommandError(
          `Could not move the upload into ${dest} on ${this.#target}: ${reason}`,
        );
      }
      if (options.then) return output;
    } finally {
      await this.#removeTemp(temp, options);
    }
  }

  async getFile(src: string, options: TransferOptions): Promise<Uint8Array> {
    const sftp = await this.#sftpSession();
    if (!isElevated(options.args)) {
      try {
        return new Uint8Array(await this.#sftpCall<Buffer>((cb) => sftp.readFile(src, cb)));
      } catch (error) {
        throw new CommandError(`Could not read ${src} on ${this.#target}: ${sftpMessage(error)}`);
      }
    }
    // Copy as the elevated user into a file only we may read, then read it over SFTP.
    const temp = stagingPath(options, "download");
    const user = this.#settings!.user;
    const copy = new StringCommand([
      "umask",
      "077",
      "&&",
      "cp",
      quote(src),
      quote(temp),
      "&&",
      "{",
      "chown",
      quote(user),
      quote(temp),
      "2>/dev/null",
      "||",
      "chmod",
      "644",
      quote(temp),
      ";",
      "}",
    ]);
    try {
      const output = await this.#helper(copy, options);
      if (output.exitCode !== 0) {
        const reason = output.timedOut ? "timed out" : output.stderr.trim();
        throw new CommandError(`Could not read ${src} on ${this.#target}: ${reason}`);
      }
      try {
        return new Uint8Array(await this.#sftpCall<Buffer>((cb) => sftp.readFile(temp, cb)));
      } catch (error) {
        throw new CommandError(`Could not read ${src} on ${this.#target}: ${sftpMessage(error)}`);
      }
    } finally {
      await this.#removeTemp(temp, options);
    }
  }

  /** Deletes a temporary file: over SFTP when it is ours, else with the transfer's wrap. */
  async #removeTemp(temp: string, options: TransferOptions): Promise<void> {
    if (!this.#connection || this.#lost !== undefined) return;
    try {
      const sftp = await this.#sftpSession();
      await this.#sftpCall((cb) => sftp.unlink(temp, cb));
    } catch (error) {
      if (isNoSuchFile(error)) return;
      await this.#helper(new StringCommand(["rm", "-f", quote(temp)]), options).catch(() => {});
    }
  }

  /**
   * Stops the commands running now: each ends at once as interrupted; sshd's signal
   * request sends TERM to the session (sudo passes it on to its command), and every
   * process of the user's that inherited a command's token gets TERM, then KILL (sshd's
   * signal reaches only the session's shell, not the programs it started).
   */
  async cancel(): Promise<void> {
    // Uploads in flight stop now: their SFTP session is closed (a new one cleans up),
    // and none is moved into place.
    this.#cancels++;
    if (this.#transfers.size) {
      for (const stop of [...this.#transfers]) stop("interrupted (Ctrl-C)");
      this.#transfers.clear();
      const sftp = this.#sftp;
      this.#sftp = undefined;
      sftp?.then((session) => session.end()).catch(() => {});
    }
    const running = [...this.#channels];
    if (!running.length) return;
    for (const [channel, { interrupted }] of running) {
      try {
        // sshd signals the session; sudo (whose environment the user cannot read) passes
        // TERM on to its command.
        killChannel(channel, "TERM");
      } catch {
        // the connection is gone
      }
      interrupted();
    }
    const kill = stopByTokenCommand(running.map(([, { token }]) => token));
    try {
      await this.#exec(kill, { args: PLAIN_CONNECTOR_ARGUMENTS });
    } catch {
      // the connection is gone: so are its commands
    }
    for (const [channel] of running) {
      try {
        channel.close();
      } catch {
        // closed meanwhile
      }
    }
  }

  async disconnect(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    this.#sftp = undefined;
    const shell = this.#shell;
    this.#shell = undefined;
    (await shell?.catch(() => undefined))?.close("disconnected");
    if (!connection) return;
    for (const abort of [...this.#running]) abort("disconnected");
    for (const client of [connection.client, ...connection.jumps.reverse()]) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        client.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        client.end();
      });
    }
  }
}

function lostOutput(target: string, reason: string): CommandOutput {
  return {
    exitCode: -1,
    stdout: "",
    stderr: `Connection to ${target} lost: ${reason}`,
    timedOut: false,
  };
}

function isElevated(args: ConnectorArguments): boolean {
  return Boolean(args._sudo || args._suUser || args._su || args._doas);
}

/** Whether a user other than root reads the temporary upload (sudo -u, su, doas -u). */
function needsReadableTemp(args: ConnectorArguments): boolean {
  const other = (user: string | undefined) => user !== undefined && user !== "root";
  return (args._sudo && other(args._sudoUser)) || other(args._suUser) ||
    (args._doas && other(args._doasUser));
}
