/**
 * Facts about files and folders: `files.File`, `files.Directory`, `files.Link`, hashes,
 * `files.FindInFile`, `files.FindFiles`, ... Names, arguments, commands and parsing
 * follow pyinfra's `pyinfra.facts.files`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { quote, StringCommand } from "../core/command.ts";
import { shellQuote } from "../core/quote.ts";
import { OperationValueError } from "../core/errors.ts";
import { linkTarget, parseMode } from "./files/stat.ts";

export { linkTarget, parseMode };

/**
 * A path as a command's operand that no tool can take for an option, and awk not for
 * a `name=value` assignment: a relative path starting with `-` or holding `=` gets `./`
 * in front. Every other path is returned as it is, so ordinary commands keep their bytes.
 *
 * @param path A path on the host.
 * @returns The same file, as an operand.
 *
 * @example
 * ```ts
 * import { operandPath } from "./files.ts";
 * operandPath("--help"); // "./--help"
 * operandPath("conf=1"); // "./conf=1"
 * operandPath("/etc/a=b"); // "/etc/a=b"
 * ```
 */
export function operandPath(path: string): string {
  if (path.startsWith("-") || (!path.startsWith("/") && path.includes("="))) return `./${path}`;
  return path;
}

/**
 * `echo WORD`, or `printf '%s\n' WORD` when dash's echo would change the text (a
 * backslash) or take it for an option (a leading `-`).
 */
function printLine(text: string): StringCommand {
  if (/\\/.test(text) || text.startsWith("-")) {
    return new StringCommand(["printf", "'%s\\n'", quote(text)]);
  }
  return new StringCommand(["echo", quote(text)]);
}

/**
 * Refuses text that cannot be one line of a file (a newline, a NUL), naming the
 * argument and where it was given.
 *
 * @param value The text.
 * @param argument The option it came from.
 * @param where The operation or fact.
 * @throws {OperationValueError} when the text holds a newline or a NUL byte.
 *
 * @example
 * ```ts
 * import { assertOneLine } from "./files.ts";
 * assertOneLine("PermitRootLogin no", "line", "files.line"); // fine
 * ```
 */
export function assertOneLine(value: string, argument: string, where: string): void {
  if (typeof value !== "string") {
    throw new OperationValueError(
      `Invalid argument \`${argument}\` of ${where}: a string is needed`,
    );
  }
  if (/[\n\0]/.test(value)) {
    throw new OperationValueError(
      `Invalid argument \`${argument}\` of ${where}: it must be one line, without a newline ` +
        `or NUL: ${JSON.stringify(value)}`,
    );
  }
}

const LINUX_STAT = "stat -c 'user=%U group=%G mode=%A atime=%X mtime=%Y ctime=%Z size=%s %N'";
const BSD_STAT = "stat -f 'user=%Su group=%Sg mode=%Sp atime=%a mtime=%m ctime=%c size=%z %N%SY'";
const STAT_LINE =
  /^user=(.*) group=(.*) mode=(.*) atime=([0-9]*) mtime=([0-9]*) ctime=([0-9]*) size=([0-9]*) (.*)/;

const TYPE_OF_FLAG: Record<string, string> = {
  b: "block",
  c: "character",
  d: "directory",
  l: "link",
  s: "socket",
  p: "fifo",
  "-": "file",
};

function parseTime(value: string): Date | null {
  return /^\d+$/.test(value) ? new Date(Number(value) * 1000) : null;
}

function tryInt(value: string): number | string {
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

/** What `files.File`, `files.Directory`, `files.Link` and `files.Socket` return. */
export interface FileInfo {
  user: string;
  group: string;
  /** Permission bits as octal digits read as decimal: 0o644 is 644. */
  mode: number;
  size: number | string;
  atime: Date | null;
  mtime: Date | null;
  ctime: Date | null;
  /** Set for links: where the link points. */
  link_target?: string;
}

/** A path's stat, or null when it does not exist, or false when it is another type. */
export type StatValue = FileInfo | false | null;

function statFact(name: string, type: string, summary: string): Fact<StatValue, { path: string }> {
  return defineFact<StatValue, { path: string }>({
    name,
    summary,
    argNames: ["path"],
    command: ({ path }) => {
      const p = quote(operandPath(path));
      return new StringCommand([
        "! (test -e",
        p,
        "|| test -L",
        p,
        ") || (",
        LINUX_STAT,
        p,
        "2> /dev/null ||",
        BSD_STAT,
        p,
        ")",
      ]);
    },
    process: (lines) => {
      const match = STAT_LINE.exec(lines[0] ?? "");
      if (!match) return null;
      const mode = match[3];
      const pathType = TYPE_OF_FLAG[mode[0]];
      const info: FileInfo = {
        user: match[1],
        group: match[2],
        mode: parseMode(mode.slice(1)),
        atime: parseTime(match[4]),
        mtime: parseTime(match[5]),
        ctime: parseTime(match[6]),
        size: tryInt(match[7]),
      };
      if (pathType !== type) return false;
      if (pathType === "link") info.link_target = linkTarget(match[8]);
      return info;
    },
  });
}

/**
 * A file's owner, group, mode, size and times; null when the path does not exist,
 * false when it is not a file.
 *
 * @example
 * ```ts ignore
 * const info = await host.getFact(File, { path: "/etc/hosts" });
 * if (info) console.log(info.mode); // 644
 * ```
 */
export const File = statFact(
  "files.File",
  "file",
  "Returns information about a file on the remote system.",
);

/**
 * Like {@linkcode File}, for a folder.
 *
 * @example
 * ```ts ignore
 * const dir = await host.getFact(Directory, { path: "/srv/app" });
 * ```
 */
export const Directory = statFact(
  "files.Directory",
  "directory",
  "Returns information about a directory on the remote system.",
);

/**
 * Like {@linkcode File}, for a symbolic link, with `link_target`.
 *
 * @example
 * ```ts ignore
 * const link = await host.getFact(Link, { path: "/etc/nginx/sites-enabled/app" });
 * link && link.link_target;
 * ```
 */
export const Link = statFact(
  "files.Link",
  "link",
  "Returns information about a link on the remote system.",
);

/**
 * Like {@linkcode File}, for a socket.
 *
 * @example
 * ```ts ignore
 * const socket = await host.getFact(Socket, { path: "/run/docker.sock" });
 * ```
 */
export const Socket = statFact(
  "files.Socket",
  "socket",
  "Returns information about a socket on the remote system.",
);

function hashFact(
  name: string,
  digits: number,
  programs: string[],
): Fact<string | null, { path: string }> {
  const algorithm = name.slice("files.".length, -"File".length).toUpperCase();
  return defineFact<string | null, { path: string }>({
    name,
    summary: `Returns the ${algorithm} hash of a file, or null if the file does not exist.`,
    argNames: ["path"],
    command: ({ path }) => {
      const p = quote(operandPath(path));
      const tries: (string | typeof p)[] = [];
      programs.forEach((program, i) => {
        if (i > 0) tries.push("||");
        tries.push(program, p, "2> /dev/null");
      });
      return new StringCommand(["test -e", p, "&& (", ...tries, ") || true"]);
    },
    // GNU tools escape names holding a newline, backslash or carriage return (and mark
    // the line with "\\"); the name may have been given as `./NAME`.
    process: (lines, { path }) => {
      const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const names = [...new Set([path, operandPath(path)])];
      const escaped = names.map((name) =>
        name.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r")
      );
      const first = lines[0] ?? "";
      const gnuNames = (first.startsWith("\\") ? escaped : names).map(literal).join("|");
      const gnu = new RegExp(`^\\\\?([a-fA-F0-9]{${digits}})\\s+(?:${gnuNames})$`).exec(first);
      if (gnu) return gnu[1];
      // BSD prints names as they are: one with a newline spreads over lines.
      const bsdNames = names.map(literal).join("|");
      const bsd = new RegExp(
        `^${algorithm}\\s+\\((?:${bsdNames})\\)\\s+=\\s+([a-fA-F0-9]{${digits}})$`,
      ).exec(lines.join("\n"));
      return bsd ? bsd[1] : null;
    },
  });
}

/**
 * The SHA1 hash of a file, or null when it does not exist.
 *
 * @example
 * ```ts ignore
 * const sum = await host.getFact(Sha1File, { path: "/etc/hosts" });
 * ```
 */
export const Sha1File = hashFact("files.Sha1File", 40, ["sha1sum", "shasum", "sha1"]);

/**
 * The SHA256 hash of a file, or null when it does not exist.
 *
 * @example
 * ```ts ignore
 * const sum = await host.getFact(Sha256File, { path: "/etc/hosts" });
 * ```
 */
export const Sha256File = hashFact("files.Sha256File", 64, [
  "sha256sum",
  "shasum -a 256",
  "sha256",
]);

/**
 * The MD5 hash of a file, or null when it does not exist.
 *
 * @example
 * ```ts ignore
 * const sum = await host.getFact(Md5File, { path: "/etc/hosts" });
 * ```
 */
export const Md5File = hashFact("files.Md5File", 32, ["md5sum", "md5"]);

/** Arguments of {@linkcode FindInFile}. */
export interface FindInFileArgs extends Record<string, unknown> {
  path: string;
  /** A grep pattern (basic regular expression). */
  pattern: string;
  /** Let the shell expand `$VARS` in the pattern. @default {false} */
  interpolate_variables?: boolean;
}

/**
 * The lines of a file matching a grep pattern: [] when none match, null when the file
 * does not exist.
 *
 * @example
 * ```ts ignore
 * const lines = await host.getFact(FindInFile, { path: "/etc/hosts", pattern: "^127" });
 * ```
 */
export const FindInFile = defineFact<string[] | null, FindInFileArgs>({
  name: "files.FindInFile",
  summary: "Checks for the existence of text in a file using grep.",
  argNames: ["path", "pattern", "interpolate_variables"],
  argDefaults: { interpolate_variables: false },
  command: ({ path, pattern, interpolate_variables }) => {
    // grep reads each line of the pattern as a pattern of its own.
    assertOneLine(pattern, "pattern", "files.FindInFile");
    const flag = `__pyinfra_exists_${path}`;
    // Interpolation is the caller's explicit choice: only `"` is escaped, `$` stays live.
    const grepPattern = interpolate_variables
      ? `"${pattern.replaceAll('"', '\\"')}"`
      : quote(pattern);
    const operand = quote(operandPath(path));
    return new StringCommand([
      "grep -e",
      grepPattern,
      operand,
      "2> /dev/null || ( find",
      operand,
      "-type f > /dev/null &&",
      printLine(flag),
      "|| true )",
    ]);
  },
  process: (lines, { path }) => (isMarker(lines, `__pyinfra_exists_${path}`) ? [] : lines),
});

/**
 * Whether the output is the marker line a command echoes (pyinfra checks the first line;
 * a path holding a newline spreads the marker over several lines).
 */
function isMarker(lines: string[], marker: string): boolean {
  return lines[0] === marker || lines.join("\n") === marker;
}

function findFact(
  name: string,
  flag: string,
  what: string,
): Fact<string[], { path: string; quote_path?: boolean }> {
  return defineFact<string[], { path: string; quote_path?: boolean }>({
    name,
    summary: `Returns a list of ${what} from a start path, recursively using find.`,
    argNames: ["path", "quote_path"],
    argDefaults: { quote_path: true },
    command: ({ path, quote_path }) =>
      new StringCommand([
        "find",
        quote_path === false ? path : quote(operandPath(path)),
        "-type",
        flag,
        "|| true",
      ]),
    process: (lines) => lines,
    default: () => [],
  });
}

/**
 * Every file under a folder, recursively (`find -type f`).
 *
 * @example
 * ```ts ignore
 * const files = await host.getFact(FindFiles, { path: "/etc/nginx" });
 * ```
 */
export const FindFiles = findFact("files.FindFiles", "f", "files");

/**
 * Every link under a folder, recursively (`find -type l`).
 *
 * @example
 * ```ts ignore
 * const links = await host.getFact(FindLinks, { path: "/etc/nginx/sites-enabled" });
 * ```
 */
export const FindLinks = findFact("files.FindLinks", "l", "links");

/**
 * Every folder under a folder, recursively (`find -type d`).
 *
 * @example
 * ```ts ignore
 * const dirs = await host.getFact(FindDirectories, { path: "/srv" });
 * ```
 */
export const FindDirectories = findFact("files.FindDirectories", "d", "directories");

/**
 * The BSD file flags set on a path (`chflags`); [] where chflags does not exist.
 *
 * @example
 * ```ts ignore
 * const flags = await host.getFact(Flags, { path: "/etc/rc.conf" });
 * ```
 */
export const Flags = defineFact<string[], { path: string }>({
  name: "files.Flags",
  summary: "Returns a list of the file flags set for the specified file or directory.",
  argNames: ["path"],
  requiresCommand: "chflags",
  command: ({ path }) =>
    new StringCommand([
      "! test -e",
      quote(operandPath(path)),
      "|| stat -f %Sf",
      quote(operandPath(path)),
    ]),
  process: (lines) => (lines.length === 1 ? lines[0].split(",").filter((f) => f.length > 0) : []),
  default: () => [],
});

/** pyinfra's block marker and its default begin/end words. */
export const BLOCK_MARKER_DEFAULT = "# {mark} PYINFRA BLOCK";
const EXISTS = "__pyinfra_exists_";
const MISSING = "__pyinfra_missing_";

/** Arguments of {@linkcode Block}. */
export interface BlockArgs extends Record<string, unknown> {
  path: string;
  /** Marker line with `{mark}` where BEGIN/END go. @default {"# {mark} PYINFRA BLOCK"} */
  marker?: string | null;
  begin?: string | null;
  end?: string | null;
}

/** The begin and end marker lines of a block. */
export function blockMarkers(
  args: { marker?: string | null; begin?: string | null; end?: string | null },
) {
  const marker = args.marker || BLOCK_MARKER_DEFAULT;
  return {
    start: marker.replaceAll("{mark}", args.begin || "BEGIN"),
    end: marker.replaceAll("{mark}", args.end || "END"),
  };
}

/**
 * Checks a block's marker options before any command is built: each must be one line
 * (a marker is a line of the file) and the two markers must differ.
 *
 * @param args The `marker`, `begin` and `end` options.
 * @param where The operation or fact, for the error message.
 * @returns The begin and end marker lines.
 * @throws {OperationValueError} naming the argument that cannot be used.
 */
export function checkedBlockMarkers(
  args: { marker?: string | null; begin?: string | null; end?: string | null },
  where: string,
): { start: string; end: string } {
  for (const name of ["marker", "begin", "end"] as const) {
    const value = args[name];
    if (value !== null && value !== undefined) assertOneLine(String(value), name, where);
  }
  const { start, end } = blockMarkers(args);
  if (start === end) {
    throw new OperationValueError(
      `delimiters for block must be different but found only '${start}'`,
    );
  }
  return { start, end };
}

// What awk reads as an operator in a /regex/, and its delimiter.
const AWK_REGEX_SPECIAL = /[\\/.[\]()*+?{}|^$]/;

/**
 * Whether text means itself inside an awk `/regex/` (pyinfra puts markers there): no
 * operator, no backslash, no `/`. Other text is given to awk as data (see
 * {@linkcode awkData}) and matched with `index()`.
 */
export function awkLiteralSafe(text: string): boolean {
  return !AWK_REGEX_SPECIAL.test(text);
}

/**
 * The start of an awk program that takes `names` from the operands after the file
 * (`ARGV[2]`, `ARGV[3]`, ...) and empties those operands, so they are read as data:
 * never as program text, a file, or a `name=value` assignment. `statements` run first.
 *
 * @example
 * ```ts
 * import { awkData } from "./files.ts";
 * awkData(["s", "e"]); // 'BEGIN {s=ARGV[2]; e=ARGV[3]; ARGV[2]=""; ARGV[3]=""}'
 * ```
 */
export function awkData(names: string[], ...statements: string[]): string {
  const take = names.map((name, i) => `${name}=ARGV[${i + 2}]`);
  const clear = names.map((_, i) => `ARGV[${i + 2}]=""`);
  return `BEGIN {${[...statements, ...take, ...clear].join("; ")}}`;
}

/**
 * The lines between a block's markers: [] when the markers are not there, null when the
 * file does not exist. Markers with awk operators, `/` or a backslash are given to awk
 * as data and found literally.
 *
 * @example
 * ```ts ignore
 * const lines = await host.getFact(Block, { path: "/etc/hosts" });
 * ```
 */
export const Block = defineFact<string[] | null, BlockArgs>({
  name: "files.Block",
  summary: "Returns the lines found between a block's markers.",
  argNames: ["path", "marker", "begin", "end"],
  command: (args) => {
    const { start, end } = checkedBlockMarkers(args, "files.Block");
    const file = quote(operandPath(args.path));
    const awk = awkLiteralSafe(start + end)
      ? ["awk", shellQuote(`/${end}/{ f=0} f; /${start}/{ f=1} `), file]
      : [
        "awk",
        shellQuote(`${awkData(["s", "e"])} index($0, e) { f=0} f; index($0, s) { f=1} `),
        file,
        quote(start),
        quote(end),
      ];
    return new StringCommand([
      ...awk,
      "|| (find",
      file,
      "-type f > /dev/null &&",
      printLine(`${EXISTS}${args.path}`),
      "||",
      printLine(`${MISSING}${args.path}`),
      ")",
    ]);
  },
  process: (lines, { path }) => {
    if (isMarker(lines, `${EXISTS}${path}`)) return [];
    if (isMarker(lines, `${MISSING}${path}`)) return null;
    return lines;
  },
  default: () => [],
});
