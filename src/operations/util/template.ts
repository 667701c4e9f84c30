/**
 * Templates for `files.template` and `server.scriptTemplate`, chosen by the source's
 * extension: `.j2`, `.jinja` and `.jinja2` are Jinja2, rendered with nunjucks as pyinfra
 * renders them (see `jinja.ts`); `.eta` and every other extension are Eta.
 *
 * An Eta template sees `it.host`, `it.inventory` (the context's template globals) and each
 * key of `vars` as `it.<key>`. Output is not HTML-escaped and newlines are kept as
 * written (a `-%>` tag trims the one after it). As with pyinfra's Jinja2 (which uses
 * `StrictUndefined`), reading a variable that was not given fails rather than printing
 * `undefined`; test for an optional one with `"name" in it`. `include("./part.eta", it)`
 * reads another controller file, relative to the including template.
 *
 * Any error, at parse or render time and in an included file too, is an
 * `OperationError` naming the file and line: `Error in template: FILE (LLINE): REASON`,
 * then the lines around it.
 *
 * @module
 */
import * as posix from "node:path/posix";
import vm from "node:vm";
import { Eta } from "../../deps.ts";
import type { OperationContext } from "../../core/operation.ts";
import { EXIT, OperationError } from "../../core/errors.ts";
import { LocalFileError } from "./files.ts";
import { isJinjaTemplate, renderJinja } from "./jinja.ts";
import { templateErrorMessage, type TemplateFailure } from "./template_error.ts";

function errorOf(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** The parse error's own words, without Eta's position and context lines. */
function parseReason(error: Error): { reason: string; line?: number } {
  const bad = /^Bad template syntax\n\n([^\n]*)/.exec(error.message);
  if (bad) return { reason: `SyntaxError: ${bad[1]}` };
  const first = error.message.split("\n")[0];
  const at = / at line (\d+) col \d+:?$/.exec(first);
  if (at) return { reason: first.slice(0, at.index), line: Number(at[1]) };
  return { reason: `${error.name}: ${first}` };
}

/**
 * Where a JavaScript syntax error sits in the compiled template, which V8 reports
 * without a position: the first template line whose code, with everything before it,
 * no longer parses as merely unfinished. When the whole code is merely unfinished, a
 * block was left open (`unclosed`) and the last line with code is given.
 */
function locateSyntaxError(
  compileToString: () => string,
): { line?: number; unclosed?: boolean; message?: string } {
  let body: string;
  try {
    body = compileToString();
  } catch {
    return {};
  }
  // The template's own code sits between Eta's preamble and its layout epilogue.
  const open = body.indexOf("}try {");
  const close = body.lastIndexOf("\nif (__eta.layout)");
  if (open < 0 || close < open) return {};
  const code = body.slice(open + "}try {".length, close);
  const markers = [...code.matchAll(/__eta\.line=(\d+)\n/g)];
  if (!markers.length) return {};
  // Compiled (never run) inside a function left open, so that code which is merely
  // unfinished fails with "end of input" and anything else is a real error.
  let message: string | undefined;
  const broken = (k: number): boolean => {
    const end = k + 1 < markers.length ? markers[k + 1].index : code.length;
    try {
      new vm.Script(`(function (it, options) {\n${code.slice(0, end)}`);
      return false;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (/end of input/.test(text)) return false;
      message = text;
      return true;
    }
  };
  const last = markers.length - 1;
  if (!broken(last)) return { line: Number(markers[last][1]), unclosed: true };
  let low = 0;
  let high = last;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (broken(mid)) high = mid;
    else low = mid + 1;
  }
  broken(low);
  const end = low + 1 < markers.length ? markers[low + 1].index : code.length;
  try {
    // Parses with one more block open: the line closes a block that was never opened.
    new vm.Script(`(function (it, options) { {\n${code.slice(0, end)}`);
  } catch (error) {
    if (error instanceof Error && /end of input/.test(error.message)) {
      message = "a `}` closes a block that is not open";
    }
  }
  return { line: Number(markers[low][1]), message };
}

/** Reading an `it.<key>` that was not given is an error, as with Jinja2's StrictUndefined. */
function strict(data: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(data, {
    get(target, key, receiver) {
      if (typeof key === "symbol" || key in target) return Reflect.get(target, key, receiver);
      throw new ReferenceError(`it.${key} is not defined`);
    },
  });
}

/**
 * Renders a template file on the controller with variables: as Jinja2 when its
 * extension is `.j2`, `.jinja` or `.jinja2`, else as Eta.
 *
 * @param ctx The operation's context: its controller files and template globals.
 * @param src The template's path (relative paths are resolved by `ctx.local`).
 * @param vars Variables the template reads as `it.<name>` (Eta) or by name (Jinja2);
 * they win over the globals.
 * @throws {OperationError} when the template does not parse or fails while rendering.
 *
 * @example
 * ```ts ignore
 * const text = renderTemplate(ctx, "/deploy/templates/site.conf.eta", { port: 80 });
 * ```
 */
export function renderTemplate(
  ctx: Pick<OperationContext, "local" | "templateGlobals">,
  src: string,
  vars: Readonly<Record<string, unknown>> = {},
): string {
  const path = ctx.local.resolve(src);
  if (!ctx.local.isFile(path)) throw new LocalFileError(`No such file: ${path}`);
  if (isJinjaTemplate(path)) return renderJinja(ctx, path, vars);
  const text = ctx.local.readText(path);

  const eta = new Eta({
    autoEscape: false,
    autoTrim: false,
    debug: true,
    useWith: false,
    cache: false,
    cacheFilepaths: false,
  });
  let failure: TemplateFailure | undefined;
  let unparsable = false;
  eta.resolvePath = (name, options) =>
    posix.resolve(posix.dirname(options?.filepath ?? path), name);
  eta.readFile = (file) => {
    if (!ctx.local.isFile(file)) throw new LocalFileError(`No such file: ${file}`);
    return ctx.local.readText(file);
  };
  const compile = eta.compile;
  eta.compile = function (str, options) {
    try {
      return compile.call(this, str, options);
    } catch (error) {
      const err = errorOf(error);
      let { line, reason } = parseReason(err);
      if (line === undefined && reason.startsWith("SyntaxError")) {
        const found = locateSyntaxError(() => this.compileToString(str, options));
        line = found.line;
        if (found.message) reason = `SyntaxError: ${found.message}`;
        if (found.unclosed) {
          reason = "SyntaxError: the template ends inside a block (a `{` is not closed)";
        }
      }
      failure ??= { file: options?.filepath ?? path, line, reason, text: str };
      unparsable = true;
      throw err;
    }
  };
  // Called by the compiled template when its code throws; the innermost call comes first.
  eta.RuntimeErr = (error, str, line, file) => {
    const err = errorOf(error);
    failure ??= { file: file || path, line, reason: `${err.name}: ${err.message}`, text: str };
    throw err;
  };

  try {
    const template = eta.compile(text, { filepath: path });
    return eta.render(template, strict({ ...ctx.templateGlobals, ...vars }), { filepath: path });
  } catch (error) {
    if (error instanceof LocalFileError && !failure) throw error;
    const err = errorOf(error);
    const failed = new OperationError(
      templateErrorMessage(failure ?? { file: path, reason: err.message, text }),
    );
    // A template (or an include) that does not parse is bad input whatever the host:
    // pyinfra's OperationError still, with the exit status of bad input.
    if (unparsable) failed.exitCode = EXIT.BAD_INPUT;
    throw failed;
  }
}
