/**
 * `@ssh`: hosts reached over SSH with ssh2 (pyinfra's default connector). One connection
 * per host carries every command: plain ones through a long-lived shell, those with
 * input, a terminal or an abort signal (a timeout) on a channel of their own. Files are
 * written, read and removed over SFTP (core stages and installs uploads).
 *
 * Host data: see {@linkcode SshHostData}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ClientChannel, SFTPWrapper, SshClient } from "../deps.ts";
import type { CommandOutput, Connector, RunOptions, WriteFileOptions } from "../core/connector.ts";
import type { StringCommand } from "../core/command.ts";
import { RUN_VARIABLE, runToken, stopByTokenCommand } from "./cancel.ts";
import { CommandError, ConnectError, HostDataError } from "../core/errors.ts";
import { openSshConnection, type SshConnection } from "./ssh/connect.ts";
import { messageOf, resolveSshSettings, type SshSettings } from "./ssh/settings.ts";
import { CLOSE_GRACE, killChannel, MAX_CHANNELS, OPEN_RETRIES, Slots } from "./ssh/channels.ts";
import { isNoSuchFile, sftpMessage } from "./ssh/sftp.ts";
import { ShellSession, shellTakesInput } from "./ssh/shell.ts";

export type { SshHostData } from "./ssh/settings.ts";

/** Milliseconds an aborted command waits for its programs to be stopped by token. */
const STOP_WAIT_MS = 3000;

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

  /** How transfer errors name the host. */
  get label(): string {
    return this.#target;
  }

  /** The SSH user, once connected. */
  get user(): string | undefined {
    return this.#settings?.user;
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
    // A command goes through the connection's long-lived shell when it is free, its
    // input as a here-document; a pty or an abort signal (a timeout) need a channel of
    // their own, which an abort closes without ending the shell.
    if (shellTakesInput(options.stdin) && !options.pty && !options.signal) {
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
      return await shell.run(
        `${RUN_VARIABLE}=${token} ${command.raw()}`,
        token,
        options.sink,
        options.stdin,
      );
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
          // Every process of the command inherits this variable: cancel() finds them by it.
          const token = runToken();
          // exec throws "Not connected" at once when the socket is gone. The listeners
          // must be on the channel before this callback returns: ssh2 may emit "exit"
          // in the same tick, from the same batch of packets.
          client.exec(
            `${RUN_VARIABLE}=${token} ${command.raw()}`,
            { pty: options.pty === true },
            (error, stream) =>
              error ? reject(error) : resolve(this.#collect(stream, release, options, token)),
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
    token: string,
  ) {
    const { stdin, signal, sink } = options;
    return new Promise<CommandOutput>((resolve) => {
      const out = new TextDecoder("utf-8", { ignoreBOM: true });
      const err = new TextDecoder("utf-8", { ignoreBOM: true });
      let stdout = "";
      let stderr = "";
      let exitCode = -1;
      let done = false;
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
        signal?.removeEventListener("abort", stop);
        this.#running.delete(onLost);
        stdout += out.decode();
        stderr += err.decode();
        resolve({ exitCode, stdout, stderr, timedOut: false, ...result });
      };
      let stopping = false;
      const stop = () => {
        if (done || stopping) return;
        stopping = true;
        // Ask sshd to kill the command's process group (see killChannel), then close
        // the channel; do not wait for the server to confirm.
        try {
          killChannel(channel);
          channel.close();
        } catch {
          // the connection is gone
        }
        grace = setTimeout(free, CLOSE_GRACE * 1000);
        // sshd's signal reaches only the session's shell: the programs it started are
        // found by their token (as cancel() does), for a few seconds at most.
        let cap: ReturnType<typeof setTimeout> | undefined;
        Promise.race([
          this.#exec(stopByTokenCommand([token]), {}).catch(() => {}),
          new Promise((resolve) => cap = setTimeout(resolve, STOP_WAIT_MS)),
        ]).then(() => {
          clearTimeout(cap);
          finish({ exitCode: -1 });
        });
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
        // A stopped command ends when its programs were stopped too.
        if (!stopping) finish();
      });
      if (signal?.aborted) stop();
      else signal?.addEventListener("abort", stop);
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

  /** Creates `path` over SFTP (a new file: `wx`) with `options.mode` (0600). */
  async writeFile(
    path: string,
    content: Uint8Array,
    options: WriteFileOptions = {},
  ): Promise<void> {
    const sftp = await this.#sftpSession();
    const mode = options.mode ?? 0o600;
    try {
      await this.#sftpCall((cb) =>
        sftp.writeFile(path, Buffer.from(content), { mode, flag: "wx" }, cb)
      );
      // The server's umask may have taken bits away.
      if (mode !== 0o600) await this.#sftpCall((cb) => sftp.chmod(path, mode, cb));
    } catch (error) {
      throw new Error(sftpMessage(error));
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    const sftp = await this.#sftpSession();
    try {
      return new Uint8Array(await this.#sftpCall<Buffer>((cb) => sftp.readFile(path, cb)));
    } catch (error) {
      throw new Error(sftpMessage(error));
    }
  }

  /** Removes `path` over SFTP (a new session after cancel() closed the old one). */
  async removeFile(path: string): Promise<void> {
    if (!this.#connection || this.#lost !== undefined) {
      throw new Error(`the connection is closed${this.#lost ? `: ${this.#lost}` : ""}`);
    }
    const sftp = await this.#sftpSession();
    try {
      await this.#sftpCall((cb) => sftp.unlink(path, cb));
    } catch (error) {
      if (!isNoSuchFile(error)) throw new Error(sftpMessage(error));
    }
  }

  /**
   * Stops the commands running now: each ends at once as interrupted; sshd's signal
   * request sends TERM to the session (sudo passes it on to its command), and every
   * process of the user's that inherited a command's token gets TERM, then KILL (sshd's
   * signal reaches only the session's shell, not the programs it started).
   */
  async cancel(): Promise<void> {
    // Uploads in flight stop now: their SFTP session is closed (a new one cleans up);
    // core moves none into place.
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
      await this.#exec(kill, {});
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
