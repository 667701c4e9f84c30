/**
 * `server.shell`, `server.script`, `server.scriptTemplate` and `server.wait`: commands
 * and scripts run on every deploy.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, sh, shellText, StringCommand } from "../../core/command.ts";
import { OperationTypeError } from "../../core/errors.ts";
import { chmod } from "../util/files.ts";
import { put } from "../files/put.ts";
import { template } from "../files/template.ts";

/** Options of {@linkcode shell}. */
export interface ShellOptions {
  /**
   * One command or a list of commands, run in order: shell text, or commands built with
   * `sh` (values quoted, `mask()`ed ones shown as `***`).
   */
  commands: string | StringCommand | (string | StringCommand)[];
}

/**
 * Runs shell commands on the host. Not idempotent: it runs on every deploy (use `_if`).
 *
 * @example
 * ```ts ignore
 * const unit = files.put({ src: "./app.service", dest: "/etc/systemd/system/app.service" });
 * server.shell({ commands: ["systemctl daemon-reload"], _if: unit.didChange });
 * const token = String(host.data.apiToken);
 * server.shell({ commands: sh`login --token ${mask(token)}` });
 * ```
 */
export const shell: Operation<ShellOptions> = defineOperation<ShellOptions>("server.shell", {
  argNames: ["commands"],
  idempotent: false,
  summary: "Run raw shell code on server during a deploy.",
  async *generator({ commands }) {
    for (const command of Array.isArray(commands) ? commands : [commands]) {
      yield typeof command === "string" ? shellText(command) : command;
    }
  },
});

/** Options of {@linkcode script}. */
export interface ScriptOptions {
  /** The script on the controller (`./x` is relative to the calling file). */
  src: string;
  /** Arguments passed to the script (each quoted). @default {[]} */
  args?: string[];
}

/**
 * Uploads a script to a temporary file and runs it. Not idempotent.
 *
 * @example
 * ```ts ignore
 * server.script({ src: "./scripts/setup.sh", args: ["--fast"] });
 * ```
 */
export const script: Operation<ScriptOptions> = defineOperation<ScriptOptions>("server.script", {
  argNames: ["src", "args"],
  localPathArgs: ["src"],
  idempotent: false,
  summary: "Upload and execute a local script on the remote host.",
  async *generator({ src, args = [] }, ctx) {
    const temp = ctx.tempFilename();
    yield* put.generate({ src, dest: temp }, ctx);
    yield chmod(temp, "+x");
    yield new StringCommand([quote(temp), ...args.map((a) => quote(a))]);
  },
});

/** Options of {@linkcode scriptTemplate}. */
export interface ScriptTemplateOptions {
  /** The script's template on the controller: Jinja2 for `.j2`/`.jinja`/`.jinja2`, else Eta. */
  src: string;
  /** Arguments passed to the script (each quoted). @default {[]} */
  args?: string[];
  /** Template variables (`it.<name>`). */
  vars?: Record<string, unknown>;
}

/**
 * Renders a script template, uploads it to a temporary file and runs it. Not idempotent.
 *
 * @example
 * ```ts ignore
 * server.scriptTemplate({ src: "./scripts/setup.sh.eta", vars: { version: "1.2" } });
 * ```
 */
export const scriptTemplate: Operation<ScriptTemplateOptions> = defineOperation<
  ScriptTemplateOptions
>("server.scriptTemplate", {
  argNames: ["src", "args", "vars"],
  localPathArgs: ["src"],
  idempotent: false,
  summary: "Generate, upload and execute a local script template on the remote host.",
  async *generator({ src, args = [], vars = {} }, ctx) {
    const temp = ctx.tempFilename(`${src}${JSON.stringify(vars)}`);
    yield* template.generate({ src, dest: temp, vars }, ctx);
    yield chmod(temp, "+x");
    yield new StringCommand([quote(temp), ...args.map((a) => quote(a))]);
  },
});

/** Options of {@linkcode wait}. */
export interface WaitOptions {
  /** The TCP port to wait for. */
  port: number;
}

/**
 * Waits until something listens on a port of the host (checks every second with netstat).
 *
 * @example
 * ```ts ignore
 * server.wait({ port: 8080 });
 * ```
 */
export const wait: Operation<WaitOptions> = defineOperation<WaitOptions>("server.wait", {
  argNames: ["port"],
  idempotent: false,
  summary: "Waits for a port to come active on the target machine.",
  validate({ port }) {
    if (!Number.isInteger(Number(port))) {
      throw new OperationTypeError(`server.wait: port must be a number, got ${port}`);
    }
  },
  async *generator({ port }) {
    const p = Number(port);
    // A number quotes to itself, so sh keeps pyinfra's bytes (the yielded text trimmed).
    yield sh`while ! (netstat -an | grep LISTEN | grep -e "\\.${p}" -e ":${p}"); do
            echo "waiting for port ${p}..."
            sleep 1
        done`;
  },
});
