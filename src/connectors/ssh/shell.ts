/**
 * A long-lived shell on an SSH connection that runs plain commands one after another.
 * Each command on a channel of its own costs sshd a new session: a fork, the login
 * shell's start-up and three request/replies, about twice the time of the command
 * itself when a fleet keeps the hosts busy. Through this shell a command costs one write
 * and one reply.
 *
 * The shell reads one line per command: a token and the command text as a quoted word,
 * which it evaluates in a subshell (so no command changes the shell's directory,
 * variables or options), then writes `RS token:status RS` to standard output and
 * `RS token RS` to standard error. The command's standard input is /dev/null, or its
 * input text (a sudo password line, `mask()`ed values, `_stdin`) as a here-document
 * that ends at a line holding the token: it travels in the session's input, never on a
 * command line (dash feeds a here-document through a pipe; bash too up to the pipe's
 * size, above which it uses a private temporary file, unlinked at once), and no command
 * can read past it into the next ones. The token is new for every command, so neither
 * output nor input can forge the end of another command's. Commands with a pty or an
 * abort signal (a timeout) do not come here (see `SshConnector.runShellCommand`).
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { ClientChannel, SshClient } from "../../deps.ts";
import { shellQuote } from "../../core/quote.ts";
import type { CommandOutput, OutputSink } from "../../core/connector.ts";

const RS = "\x1e";

/** Defines the function that runs one command (see the module's description). */
const PRELUDE = `__tsinfra_run() { ( eval "$2" ); __tsinfra_s=$?; ` +
  `printf '\\036%s:%s\\036' "$1" "$__tsinfra_s"; printf '\\036%s\\036' "$1" >&2; }\n`;

/**
 * Whether a command's input can go to this shell as a here-document: none, or text whose
 * lines all end with a line break (as core encodes input) and hold no NUL byte.
 *
 * @example
 * ```ts
 * import { shellTakesInput } from "./shell.ts";
 * shellTakesInput("pw\ndata\n"); // true
 * shellTakesInput("no line break"); // false
 * ```
 */
export function shellTakesInput(stdin: string | undefined): boolean {
  return stdin === undefined || stdin === "" || (stdin.endsWith("\n") && !stdin.includes("\0"));
}

/** One output stream of the running command, up to its end marker. */
class MarkedStream {
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  readonly #marker: string;
  readonly #sink: ((text: string) => void) | undefined;
  readonly #withStatus: boolean;
  #text = "";
  /** Where the marker starts, once seen. */
  #at = -1;
  #emitted = 0;
  /** The command's output and, on standard output, its exit status, once the marker came. */
  result: { text: string; status: string } | undefined;

  constructor(token: string, withStatus: boolean, sink?: (text: string) => void) {
    this.#marker = withStatus ? `${RS}${token}:` : `${RS}${token}${RS}`;
    this.#withStatus = withStatus;
    this.#sink = sink;
  }

  push(chunk: Uint8Array): void {
    if (this.result) return;
    const from = Math.max(0, this.#text.length - this.#marker.length);
    this.#text += this.#decoder.decode(chunk, { stream: true });
    if (this.#at < 0) this.#at = this.#text.indexOf(this.#marker, from);
    let end = this.#at;
    let status = "";
    if (this.#at >= 0 && this.#withStatus) {
      const close = this.#text.indexOf(RS, this.#at + this.#marker.length);
      if (close < 0) end = -1;
      else status = this.#text.slice(this.#at + this.#marker.length, close);
    }
    // Hand the sink what cannot be part of the marker.
    const safe = this.#at >= 0
      ? this.#at
      : Math.max(this.#emitted, this.#text.length - this.#marker.length);
    if (safe > this.#emitted) {
      this.#sink?.(this.#text.slice(this.#emitted, safe));
      this.#emitted = safe;
    }
    if (end >= 0) this.result = { text: this.#text.slice(0, end), status };
  }

  /** The output so far, for a command that ended without its marker. */
  partial(): string {
    return this.#text + this.#decoder.decode();
  }
}

interface Running {
  out: MarkedStream;
  err: MarkedStream;
  resolve: (output: CommandOutput) => void;
}

/**
 * A shell session that runs commands one at a time.
 *
 * @example
 * ```ts ignore
 * const shell = await ShellSession.open(client);
 * const output = await shell.run("TSINFRA_RUN=t sh -c 'uname'", "t");
 * shell.close();
 * ```
 */
export class ShellSession {
  readonly channel: ClientChannel;
  #running: Running | undefined;
  #closed: string | undefined;

  private constructor(channel: ClientChannel) {
    this.channel = channel;
    channel.on("data", (chunk: Buffer) => this.#stdout(chunk));
    channel.stderr.on("data", (chunk: Buffer) => this.#stderr(chunk));
    channel.on("close", () => this.#end("the shell session closed"));
    channel.write(PRELUDE);
  }

  /** Opens the session: `sh`, started by the user's login shell as sshd does for any command. */
  static open(client: SshClient): Promise<ShellSession> {
    return new Promise((resolve, reject) => {
      client.exec("exec sh", (error, channel) => {
        if (error) reject(error);
        else resolve(new ShellSession(channel));
      });
    });
  }

  /** Whether a command may start now. */
  get idle(): boolean {
    return this.#running === undefined && this.#closed === undefined;
  }

  /** Whether the session has ended (closed, or the connection went away). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Runs one command (the text sshd would be given for it) and resolves when both its
   * end markers came, or with exit status -1 when the session ends first.
   *
   * @param text the command as `client.exec` would get it
   * @param token a new random token (the end markers carry it)
   * @param sink receives output as it arrives
   */
  run(text: string, token: string, sink?: OutputSink, stdin?: string): Promise<CommandOutput> {
    if (!this.idle) throw new Error("the shell session is busy or closed");
    if (!/^[A-Za-z0-9-]+$/.test(token)) throw new Error(`invalid token ${token}`);
    const end = `__TSINFRA_IN_${token}`;
    if (!shellTakesInput(stdin) || stdin?.includes(end)) {
      throw new Error("this input cannot go through the shell session");
    }
    const input = stdin ? ` <<'${end}'\n${stdin}${end}\n` : " </dev/null\n";
    return new Promise((resolve) => {
      this.#running = {
        out: new MarkedStream(token, true, sink?.stdout),
        err: new MarkedStream(token, false, sink?.stderr),
        resolve,
      };
      this.channel.write(`__tsinfra_run ${token} ${shellQuote(text)}${input}`);
    });
  }

  /** Ends the session and, with exit status -1, a command still running in it. */
  close(reason = "the shell session was closed"): void {
    this.#end(reason);
    try {
      this.channel.close();
    } catch {
      // the connection is gone
    }
  }

  #stdout(chunk: Uint8Array): void {
    this.#running?.out.push(chunk);
    this.#settle();
  }

  #stderr(chunk: Uint8Array): void {
    this.#running?.err.push(chunk);
    this.#settle();
  }

  #settle(): void {
    const running = this.#running;
    if (!running?.out.result || !running.err.result) return;
    this.#running = undefined;
    const code = Number(running.out.result.status);
    running.resolve({
      exitCode: Number.isInteger(code) ? code : -1,
      stdout: running.out.result.text,
      stderr: running.err.result.text,
      timedOut: false,
    });
  }

  #end(reason: string): void {
    this.#closed ??= reason;
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    const stderr = running.err.result?.text ?? running.err.partial();
    running.resolve({
      exitCode: -1,
      stdout: running.out.result?.text ?? running.out.partial(),
      stderr: `${stderr}${stderr ? "\n" : ""}${reason}`,
      timedOut: false,
    });
  }
}
