/**
 * Commands: how operations describe work. Shell text is only ever built from parts,
 * where interpolated values are quoted unless the author opts out.
 *
 * @module
 */
import { shellQuote } from "./quote.ts";
import type { ConnectorArguments } from "./arguments.ts";
import { DeployError } from "./errors.ts";

/** A value that is shell-quoted when the command is rendered. */
export class QuotedPart {
  constructor(readonly value: string | number | StringCommand) {}
}

/**
 * A value that is shown as `***` in output and logs. It is sent as the same value would
 * be without the mask: quoted when {@linkcode sh} interpolates it or it is
 * {@linkcode quote}d, as it is when it is a part of a {@linkcode StringCommand} (where
 * plain strings are shell text).
 */
export class MaskedPart {
  /**
   * @param value the secret
   * @param quoted whether it is sent shell-quoted @default {false}
   * @param rawText whether it is shell text that {@linkcode sh} must not quote
   *   (`mask(raw(text))`) @default {false}
   */
  constructor(
    readonly value: string,
    readonly quoted: boolean = false,
    readonly rawText: boolean = false,
  ) {}

  /** Shown as `***` wherever it is turned into text (a fact's arguments, a message). */
  toString(): string {
    return "***";
  }
}

/** A word the shell takes as it is: `"$var"` holding it means the same. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * `text` with every secret replaced by `***`, the longest first (a secret that holds
 * another is hidden whole). Empty secrets are ignored.
 *
 * @example
 * ```ts
 * import { hideSecrets } from "./command.ts";
 * hideSecrets("token=abc123", ["abc123"]); // "token=***"
 * ```
 */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  return [...secrets].filter(Boolean).sort((a, b) => b.length - a.length)
    .reduce((hidden, secret) => hidden.replaceAll(secret, "***"), text);
}

/** The shell variable that holds the `n`th sealed masked value (see `StringCommand.sealed`). */
export function sealedVariable(n: number): string {
  return `__tsinfra_m${n}`;
}

/** A part of a {@linkcode StringCommand}. */
export type CommandPart = string | number | StringCommand | QuotedPart | MaskedPart;

/**
 * Marks a value to be shell-quoted inside a {@linkcode StringCommand}.
 *
 * @example
 * ```ts
 * import { StringCommand, quote } from "./command.ts";
 * new StringCommand(["rm", "-f", quote("my file")]).raw(); // "rm -f 'my file'"
 * ```
 */
export function quote(value: MaskedPart): MaskedPart;
export function quote(value: string | number | StringCommand): QuotedPart;
export function quote(
  value: string | number | StringCommand | MaskedPart,
): QuotedPart | MaskedPart {
  if (value instanceof MaskedPart) return new MaskedPart(value.value, true);
  return new QuotedPart(value);
}

/**
 * Marks a secret (a password, a token) that must never appear in output. The mask only
 * changes what is shown: in {@linkcode sh} the secret is quoted like any other value;
 * `mask(raw(text))` keeps shell text unquoted there.
 *
 * @example
 * ```ts
 * import { mask, sh, StringCommand } from "./command.ts";
 * new StringCommand(["echo", mask("s3cret")]).masked(); // "echo ***"
 * sh`printf %s ${mask("p w$(id)")}`.raw(); // "printf %s 'p w$(id)'"
 * sh`printf %s ${mask("p w$(id)")}`.masked(); // "printf %s ***"
 * ```
 */
export function mask(value: string | RawPart): MaskedPart {
  return value instanceof RawPart
    ? new MaskedPart(value.value, false, true)
    : new MaskedPart(value, false, false);
}

/** Options of a {@linkcode StringCommand}. */
export interface StringCommandOptions {
  /** Text placed between parts. @default {" "} */
  separator?: string;
  /** Connector arguments that apply to this command only (e.g. `_successExitCodes`). */
  connectorArgs?: Partial<ConnectorArguments>;
  /**
   * Secret text the connector writes to the command's standard input before anything
   * else (the sudo password line of `wrapCommand`); never shown, never in the command.
   */
  secretInput?: string;
}

/**
 * A shell command assembled from parts, as pyinfra's `StringCommand`: plain strings are
 * used as they are, {@linkcode quote} parts are quoted, {@linkcode mask} parts are hidden
 * in the masked rendering.
 *
 * @example
 * ```ts
 * import { StringCommand, quote } from "./command.ts";
 * const cmd = new StringCommand(["touch", quote("/tmp/a b")]);
 * cmd.raw(); // "touch '/tmp/a b'"
 * ```
 */
export class StringCommand {
  readonly parts: readonly CommandPart[];
  readonly separator: string;
  readonly connectorArgs: Partial<ConnectorArguments>;
  /** See {@linkcode StringCommandOptions.secretInput}. */
  readonly secretInput: string | undefined;

  constructor(parts: readonly CommandPart[], options: StringCommandOptions = {}) {
    this.parts = parts;
    this.separator = options.separator ?? " ";
    this.connectorArgs = options.connectorArgs ?? {};
    this.secretInput = options.secretInput;
  }

  /** The command as sent to the host. */
  raw(): string {
    return this.#render(false);
  }

  /** The command as shown to people: masked parts replaced by `***`. */
  masked(): string {
    return this.#render(true);
  }

  /** Whether any part is masked, so that the two renderings differ. */
  hasMask(): boolean {
    return this.parts.some((part) =>
      part instanceof MaskedPart || (part instanceof StringCommand && part.hasMask()) ||
      (part instanceof QuotedPart && part.value instanceof StringCommand && part.value.hasMask())
    );
  }

  toString(): string {
    return this.masked();
  }

  /** Every masked value in the command, nested ones too: to hide them in its output. */
  secrets(): string[] {
    const found: string[] = [];
    for (const part of this.parts) {
      if (part instanceof MaskedPart) found.push(part.value);
      else if (part instanceof StringCommand) found.push(...part.secrets());
      else if (part instanceof QuotedPart && part.value instanceof StringCommand) {
        found.push(...part.value.secrets());
      }
    }
    return found;
  }

  /**
   * The command with its masked values taken out of its text, so that no process list
   * shows them: each becomes `"$__tsinfra_mN"`, read from standard input by the shell
   * that runs the command (see wrap.ts). Only values that shell itself expands are taken
   * out: a quoted mask, or a plain word; masked shell text (`mask(raw(...))`) and masks
   * inside a quoted sub-command (run by another shell) stay in place.
   *
   * @param first the number of the first variable
   * @returns the command and the values, in variable order
   */
  sealed(first = 1): { command: StringCommand; values: string[] } {
    const values: string[] = [];
    const parts = this.parts.map((part): CommandPart => {
      if (part instanceof MaskedPart) {
        if (part.rawText || (!part.quoted && !PLAIN_WORD.test(part.value))) return part;
        values.push(part.value);
        return `"$${sealedVariable(first + values.length - 1)}"`;
      }
      if (part instanceof StringCommand) {
        const inner = part.sealed(first + values.length);
        values.push(...inner.values);
        return inner.command;
      }
      return part;
    });
    if (!values.length) return { command: this, values };
    return {
      command: new StringCommand(parts, {
        separator: this.separator,
        connectorArgs: this.connectorArgs,
        secretInput: this.secretInput,
      }),
      values,
    };
  }

  #render(masked: boolean): string {
    const bits = this.parts.map((part) => {
      if (part instanceof MaskedPart) {
        if (masked) return "***";
        return part.quoted ? shellQuote(part.value) : part.value;
      }
      if (part instanceof StringCommand) return masked ? part.masked() : part.raw();
      if (part instanceof QuotedPart) {
        const inner = part.value instanceof StringCommand
          ? (masked ? part.value.masked() : part.value.raw())
          : String(part.value);
        return shellQuote(inner);
      }
      return String(part);
    });
    return bits.join(this.separator);
  }
}

/** Wraps a plain string so that it is never quoted when interpolated by {@linkcode sh}. */
export class RawPart {
  constructor(readonly value: string) {}
}

/**
 * Marks text as already-safe shell syntax for {@linkcode sh}.
 *
 * @example
 * ```ts
 * import { raw, sh } from "./command.ts";
 * sh`ls ${raw("-la")} ${"/my dir"}`.raw(); // "ls -la '/my dir'"
 * ```
 */
export function raw(value: string): RawPart {
  return new RawPart(value);
}

/**
 * Template tag that builds a {@linkcode StringCommand}: the literal text is kept, every
 * interpolated value is shell-quoted unless it is a {@linkcode raw} part or another
 * command. A {@linkcode mask} part is quoted too (shown as `***`), unless it masks a
 * {@linkcode raw} part.
 *
 * @example
 * ```ts
 * import { sh } from "./command.ts";
 * sh`mkdir -p ${"/tmp/it's here"}`.raw(); // "mkdir -p '/tmp/it'\"'\"'s here'"
 * ```
 */
export function sh(
  strings: TemplateStringsArray,
  ...values: (ShValue | readonly ShValue[])[]
): StringCommand {
  const parts: CommandPart[] = [];
  strings.forEach((text, index) => {
    if (text) parts.push(text);
    if (index >= values.length) return;
    const value = values[index];
    // A list is separately quoted words, as a shell user means by "these arguments".
    const words = Array.isArray(value) ? value : [value];
    words.forEach((word, at) => {
      if (at > 0) parts.push(" ");
      parts.push(shPart(word, index));
    });
  });
  return new StringCommand(parts, { separator: "" });
}

/** What the {@linkcode sh} tag takes: each is quoted, except `raw()` (and `mask(raw())`). */
export type ShValue = string | number | RawPart | MaskedPart | QuotedPart | StringCommand;

function shPart(value: unknown, index: number): CommandPart {
  if (value instanceof RawPart) return value.value;
  if (value instanceof MaskedPart) return value.rawText ? value : quote(value);
  if (value instanceof QuotedPart || value instanceof StringCommand) return value;
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    return quote(String(value));
  }
  // undefined would become the word "undefined", an object "[object Object]".
  const what = value === null
    ? "null"
    : value === undefined
    ? "undefined"
    : value instanceof Promise
    ? "a Promise (await it first)"
    : `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
  throw new TypeError(
    `sh: the value at \${${index}} is ${what}: give a string, a number, a list of them, raw() or mask()`,
  );
}

/** Uploads a local file (a path) or in-memory content to the host. */
export class UploadCommand {
  readonly kind = "upload";
  constructor(
    /** Absolute local path, or the content itself. */
    readonly src: { path: string } | { content: Uint8Array | string },
    readonly dest: string,
    readonly connectorArgs: Partial<ConnectorArguments> = {},
    /** Values in the content that `--diff` shows as `***` (a template's `mask()` variables). */
    readonly secrets: readonly string[] = [],
  ) {}
}

/** Downloads a file from the host to a local path. */
export class DownloadCommand {
  readonly kind = "download";
  constructor(
    readonly src: string,
    readonly dest: string,
    readonly connectorArgs: Partial<ConnectorArguments> = {},
  ) {}
}

/** What a function command receives when it runs at execution time. */
export interface FunctionCommandContext {
  /** The host the operation runs on. */
  hostName: string;
  /** Runs a shell command on the host during execution. */
  run(
    command: string | StringCommand,
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Drops the connection and opens a new one (after a reboot); throws while unreachable. */
  reconnect?(): Promise<void>;
  /** Removes the sudo password helper from the host (before it reboots). */
  removeSudoHelper?(): Promise<void>;
  /** Forgets the sudo password helper without touching the host (it was lost in a reboot). */
  forgetSudoHelper?(): void;
}

/** A function called on the controller at execution time, in order with the commands. */
export class FunctionCommand {
  readonly kind = "function";
  constructor(
    /** The name shown in output and compared by fixtures (pyinfra's function name). */
    readonly name: string,
    readonly fn: (context: FunctionCommandContext) => unknown,
    readonly args: readonly unknown[] = [],
    readonly kwargs: Readonly<Record<string, unknown>> = {},
    readonly connectorArgs: Partial<ConnectorArguments> = {},
  ) {}
}

/** Anything an operation may yield. */
export type OperationCommand =
  | StringCommand
  | UploadCommand
  | DownloadCommand
  | FunctionCommand;

/**
 * A user's own shell text as a command, run as written (whitespace around it stripped,
 * as pyinfra does): the one way raw text becomes a command, for `server.shell`.
 *
 * @example
 * ```ts
 * import { shellText } from "./command.ts";
 * shellText("  systemctl daemon-reload\n").raw(); // "systemctl daemon-reload"
 * ```
 */
export function shellText(text: string): StringCommand {
  return new StringCommand([text.trim()]);
}

/**
 * What an operation's generator yielded, checked: a command object. Raw text is refused
 * (a forgotten quote would otherwise run) with the fix; the caller names the operation.
 * The operation's code is wrong, the same on every host: bad input (exit 2).
 *
 * @throws {DeployError} for anything but a command object
 */
export function checkYielded(value: unknown): OperationCommand {
  if (
    value instanceof StringCommand || value instanceof UploadCommand ||
    value instanceof DownloadCommand || value instanceof FunctionCommand
  ) {
    return value;
  }
  const what = typeof value === "string"
    ? `the text ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value)}`
    : value === null
    ? "null"
    : `${/^[aeiou]/.test(typeof value) ? "an" : "a"} ${typeof value}`;
  throw new DeployError(
    `yielded ${what}: yield sh\`...\` (every value quoted), shellText(text) for shell text of your own, or another command object`,
  );
}

/** A short human description of a command, masked. */
export function describeCommand(c: OperationCommand): string {
  if (c instanceof StringCommand) return c.masked();
  if (c instanceof UploadCommand) {
    return `upload ${"path" in c.src ? c.src.path : "(content)"} -> ${c.dest}`;
  }
  if (c instanceof DownloadCommand) return `download ${c.src} -> ${c.dest}`;
  return `call ${c.name}()`;
}
