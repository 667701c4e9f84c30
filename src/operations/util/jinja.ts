/**
 * Jinja2 templates (`.j2`, `.jinja`, `.jinja2`) for `files.template` and
 * `server.scriptTemplate`, rendered with nunjucks and set up as pyinfra sets up Jinja2.
 *
 * - A name that is not given is an error naming it (Jinja2's `StrictUndefined`):
 *   `'port' is undefined`, `'dict object' has no attribute 'x'`. `x is defined`,
 *   `x is undefined` and `x | default(...)` still test it without failing.
 * - The output is not HTML-escaped and its trailing newline is kept
 *   (`keep_trailing_newline`); blocks are not trimmed unless a tag asks (`{%- -%}`).
 * - `host`, `inventory` and each passed variable are visible by name (`{{ host.name }}`).
 *   Python's names `True`, `False` and `None` are understood, and a mapping has
 *   `items()`, `keys()`, `values()` and `get(key, default)`.
 * - `{% include "part.j2" %}` finds the file in the rendered template's folder;
 *   `"./part.j2"` and `"../x.j2"` are relative to the including template.
 *
 * Any error is an `OperationError` in pyinfra's form:
 * `Error in template: FILE (LLINE): REASON`, then the lines around it. One that does
 * not parse (in an included file too) has the exit status of bad input.
 *
 * @module
 */
import * as posix from "node:path/posix";
import { nunjucks, nunjucksTransformer } from "../../deps.ts";
import type { OperationContext } from "../../core/operation.ts";
import { EXIT, OperationError } from "../../core/errors.ts";
import { LocalFileError } from "./files.ts";
import { templateErrorMessage } from "./template_error.ts";

/** The extensions rendered as Jinja2; every other template is Eta. */
export const JINJA_EXTENSIONS: readonly string[] = [".j2", ".jinja", ".jinja2"];

/**
 * Whether a template path is rendered as Jinja2 (by its extension).
 *
 * @param path The template's path.
 * @returns `true` for `.j2`, `.jinja` and `.jinja2` files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isJinjaTemplate } from "./jinja.ts";
 * assert.ok(isJinjaTemplate("templates/nginx.conf.j2"));
 * assert.ok(!isJinjaTemplate("templates/nginx.conf.eta"));
 * ```
 */
export function isJinjaTemplate(path: string): boolean {
  return JINJA_EXTENSIONS.includes(posix.extname(path).toLowerCase());
}

/** Jinja2's UndefinedError: a name or attribute that the template uses is not there. */
class UndefinedError extends Error {
  override name = "UndefinedError";
}

// The parts of nunjucks' internals used here, which its type declarations leave out.
interface Node {
  typename: string;
  lineno?: number;
  colno?: number;
  value?: unknown;
  name?: Node & { value?: string };
  left?: Node;
  right?: Node & { args?: Node; name?: Node & { value?: string }; value?: string };
  args?: Node & { children: Node[] };
  target?: Node;
  val?: Node;
}
interface Frame {
  lookup(name: string): unknown;
}
interface CompilerBase {
  _emit(code: string): void;
  compile(node: Node, frame: Frame | undefined): void;
  _compileExpression(node: Node, frame: Frame): void;
  assertType(node: Node, ...types: unknown[]): void;
  getCode(): string;
}
interface Internals {
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => CompilerBase };
  parser: { parse(src: string, extensions: unknown[], opts: unknown): Node };
  nodes: { Symbol: unknown };
}
interface TemplateErrorLike extends Error {
  lineno?: number;
  cause?: unknown;
  /** Set here: the file whose code failed, and whether it failed to parse. */
  file?: string;
  unparsable?: boolean;
}
interface RuntimeContext {
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}

const internals = nunjucks as unknown as Internals;

/** Python's names for the constants, as Jinja2 reads them. */
const PYTHON_CONSTANTS: Record<string, unknown> = { True: true, False: false, None: null };

function typeName(value: object): string {
  if (Array.isArray(value)) return "list object";
  if (value instanceof String) return "str object";
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return "dict object";
  return `${proto.constructor?.name ?? "object"} object`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** Python's mapping methods that pyinfra's templates call on plain objects. */
const MAPPING_METHODS: Record<string, (this: Record<string, unknown>, ...a: unknown[]) => unknown> =
  {
    items() {
      return Object.entries(this);
    },
    keys() {
      return Object.keys(this);
    },
    values() {
      return Object.values(this);
    },
    get(key, fallback = null) {
      return Object.hasOwn(this, String(key)) ? this[String(key)] : fallback;
    },
  };

/** The lookups the compiled templates call (as `env.strict.*`). */
const STRICT = {
  /** A name: the template's frame, then the variables, then nunjucks' globals. */
  lookup(context: RuntimeContext, frame: Frame, name: string, soft: boolean): unknown {
    const value = frame.lookup(name);
    if (value !== undefined) return value;
    if (name in context.ctx) return context.ctx[name];
    if (name in context.env.globals) return context.env.globals[name];
    if (name in PYTHON_CONSTANTS) return PYTHON_CONSTANTS[name];
    if (soft) return undefined;
    throw new UndefinedError(`'${name}' is undefined`);
  },
  /** `obj.key` and `obj[key]`. */
  member(obj: unknown, key: unknown, soft: boolean): unknown {
    if (obj === undefined || obj === null) {
      if (soft) return undefined;
      throw new UndefinedError(`'None' has no attribute '${String(key)}'`);
    }
    const target = Object(obj) as Record<PropertyKey, unknown>;
    const name = String(key);
    if (isPlainObject(obj) && !Object.hasOwn(obj, name) && name in MAPPING_METHODS) {
      return MAPPING_METHODS[name].bind(obj);
    }
    const value = target[name];
    if (typeof value === "function") {
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args);
    }
    if (value === undefined && !(name in target)) {
      if (soft) return undefined;
      if (Array.isArray(obj) && /^-?\d+$/.test(name)) {
        throw new UndefinedError(`list object has no element ${name}`);
      }
      throw new UndefinedError(`'${typeName(target)}' has no attribute '${name}'`);
    }
    return value;
  },
};

/** Tests and filters whose subject may be undefined without an error, as in Jinja2. */
const SOFT_TESTS = new Set(["defined", "undefined"]);
const SOFT_FILTERS = new Set(["default", "d"]);

/**
 * Code that records where the template is before a lookup or a filter, so that an error
 * there names its line: nunjucks itself updates the line only before a call.
 */
function at(node: Node): string {
  return `lineno = ${node.lineno ?? 0}, colno = ${node.colno ?? 0}, `;
}

/**
 * nunjucks' compiler with Jinja2's strict names: every lookup goes through
 * {@linkcode STRICT}, softly where the value is only tested for being defined.
 */
class StrictCompiler extends internals.compiler.Compiler {
  #soft = false;

  #compileSoft(node: Node, frame: Frame): void {
    const before = this.#soft;
    this.#soft = node.typename === "Symbol" || node.typename === "LookupVal";
    try {
      this.compile(node, frame);
    } finally {
      this.#soft = before;
    }
  }

  compileSymbol(node: Node, frame: Frame): void {
    const name = String(node.value);
    const local = frame.lookup(name);
    if (local) this._emit(String(local));
    else {
      this._emit(
        `(${at(node)}env.strict.lookup(context, frame, ${JSON.stringify(name)}, ${this.#soft}))`,
      );
    }
  }

  compileLookupVal(node: Node, frame: Frame): void {
    const soft = this.#soft;
    this._emit(`(${at(node)}env.strict.member((`);
    this._compileExpression(node.target!, frame);
    this._emit("),");
    this.#soft = false;
    try {
      this._compileExpression(node.val!, frame);
    } finally {
      this.#soft = soft;
    }
    this._emit(`, ${soft}))`);
  }

  compileIs(node: Node, frame: Frame): void {
    const right = node.right!;
    const test = String(right.name ? right.name.value : right.value);
    this._emit(`env.getTest(${JSON.stringify(test)}).call(context, `);
    if (SOFT_TESTS.has(test)) this.#compileSoft(node.left!, frame);
    else this.compile(node.left!, frame);
    if (right.args) {
      this._emit(",");
      this.compile(right.args, frame);
    }
    this._emit(") === true");
  }

  compileFilter(node: Node, frame: Frame): void {
    const name = node.name!;
    this.assertType(name, internals.nodes.Symbol);
    const filter = String(name.value);
    this._emit(`(${at(node)}env.getFilter(${JSON.stringify(filter)}).call(context, `);
    node.args!.children.forEach((child, i) => {
      if (i > 0) this._emit(",");
      if (i === 0 && SOFT_FILTERS.has(filter)) this.#compileSoft(child, frame);
      else this.compile(child, frame);
    });
    this._emit("))");
  }
}

/** What Jinja2 says at the end of a template with a block left open. */
const OPEN_BLOCKS: Record<string, string> = {
  parseIf: "Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. " +
    "The innermost block that needs to be closed is 'if'.",
  parseBlock: "Jinja was looking for the following tags: 'endblock'. " +
    "The innermost block that needs to be closed is 'block'.",
};

/** Jinja2's words for nunjucks' most common parse errors. */
function jinjaReason(message: string): string {
  const unknown = /^unknown block tag: (\S+)$/.exec(message);
  if (unknown) return `Encountered unknown tag '${unknown[1]}'.`;
  if (/end of file|got EOF/.test(message)) {
    const open = OPEN_BLOCKS[message.split(":")[0]];
    return open ? `Unexpected end of template. ${open}` : "Unexpected end of template.";
  }
  return message;
}

/** The text after nunjucks' `(file) [Line n, Column m]` prefixes, without the cause's name. */
function ownReason(error: TemplateErrorLike): string {
  let cause: unknown = error;
  while (cause instanceof Error && (cause as TemplateErrorLike).cause instanceof Error) {
    cause = (cause as TemplateErrorLike).cause;
  }
  if (cause instanceof UndefinedError) return cause.message;
  const text = cause instanceof Error ? cause.message : String(cause);
  const lines = text.split("\n");
  const last = lines.filter((l) => !/^\s*\(.*\)( \[Line \d+(, Column \d+)?\])?$/.test(l));
  return last.join("\n").trim();
}

/** Where an error happened: the innermost template error that knows its file. */
function innermost(error: TemplateErrorLike): TemplateErrorLike {
  let found = error;
  let current: unknown = error;
  while (current instanceof Error) {
    const e = current as TemplateErrorLike;
    if (e.file) found = e;
    current = e.cause;
  }
  return found;
}

/**
 * Renders a Jinja2 template file on the controller, as pyinfra does.
 *
 * @param ctx The operation's context: its controller files and template globals.
 * @param path The template's resolved path on the controller.
 * @param vars Variables the template reads by name; they win over the globals.
 * @returns The rendered text.
 * @throws {OperationError} when the template does not parse or fails while rendering.
 *
 * @example
 * ```ts ignore
 * const text = renderJinja(ctx, "/deploy/templates/site.conf.j2", { port: 80 });
 * ```
 */
export function renderJinja(
  ctx: Pick<OperationContext, "local" | "templateGlobals">,
  path: string,
  vars: Readonly<Record<string, unknown>> = {},
): string {
  const root = posix.dirname(path);
  const texts = new Map<string, string>();
  const compile = (file: string, text: string) => {
    const compiler = new StrictCompiler(file, false);
    try {
      const ast = internals.parser.parse(text, [], (env as unknown as { opts: unknown }).opts);
      compiler.compile(nunjucksTransformer.transform(ast, [], file), undefined);
    } catch (error) {
      const failed = (error instanceof Error ? error : new Error(String(error))) as
        & TemplateErrorLike
        & Error;
      failed.file = file;
      failed.unparsable = true;
      throw failed;
    }
    const props = new Function(compiler.getCode())() as Record<string, unknown>;
    // Tags an error with the innermost file whose code raised it.
    const run = props.root as (...args: unknown[]) => void;
    props.root = (...args: unknown[]) => {
      const cb = args[4] as (err: unknown, res?: unknown) => void;
      args[4] = (err: unknown, res?: unknown) => {
        if (err instanceof Error) (err as TemplateErrorLike).file ??= file;
        cb(err, res);
      };
      return run(...args);
    };
    return props;
  };
  const loader = {
    isRelative: (name: string) => name.startsWith("./") || name.startsWith("../"),
    resolve: (from: string, to: string) => posix.resolve(posix.dirname(from), to),
    getSource(name: string) {
      const file = posix.resolve(root, name);
      if (!ctx.local.isFile(file)) throw new LocalFileError(`No such file: ${file}`);
      const text = ctx.local.readText(file);
      texts.set(file, text);
      return { src: { type: "code", obj: compile(file, text) }, path: file, noCache: true };
    },
  };
  // The loader hands nunjucks compiled code, which its declarations do not allow for.
  type Loaders = ConstructorParameters<typeof nunjucks.Environment>[0];
  const env = new nunjucks.Environment(loader as unknown as Loaders, {
    autoescape: false,
    dev: true,
  });
  (env as unknown as { strict: typeof STRICT }).strict = STRICT;

  try {
    const template = env.getTemplate(path, true);
    return template.render({ ...ctx.templateGlobals, ...vars });
  } catch (error) {
    if (error instanceof LocalFileError && error.message.endsWith(`: ${path}`)) throw error;
    const err = (error instanceof Error ? error : new Error(String(error))) as TemplateErrorLike;
    const at = innermost(err);
    const file = at.file ?? path;
    // Parse errors count lines from 1, errors while rendering from 0.
    const text = texts.get(file) ?? "";
    let line = at.lineno === undefined ? undefined : at.lineno + (at.unparsable ? 0 : 1);
    // At the end of the file nunjucks gives no line; Jinja2 gives the last one.
    if (line === undefined && at.unparsable) line = text.replace(/\n$/, "").split("\n").length;
    let reason = ownReason(at);
    if (at.unparsable) reason = jinjaReason(reason);
    else reason = reason.replace(/^filter not found: (\S+)$/, "No filter named '$1'.");
    const lines = ctx.local.isFile(file) ? ctx.local.readLines?.(file) : undefined;
    const failed = new OperationError(templateErrorMessage({ file, line, reason, text, lines }));
    // A template (or an include) that does not parse is bad input whatever the host.
    if (at.unparsable || hasUnparsable(err)) failed.exitCode = EXIT.BAD_INPUT;
    throw failed;
  }
}

function hasUnparsable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as TemplateErrorLike).cause) {
    if ((e as TemplateErrorLike).unparsable) return true;
  }
  return false;
}
