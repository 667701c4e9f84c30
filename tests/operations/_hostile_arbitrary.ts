/**
 * Generated hostile strings (fast-check) and the machinery that pushes them, in batches,
 * through every operation argument that reaches a command: each string goes to one
 * "slot" (an operation and argument), a batch of slots becomes one deploy, the deploy runs
 * twice through the CLI against a target, and the target is then read back: no canary
 * file may appear, every file, link, directory, passwd entry and crontab line must hold
 * exactly the expected bytes, and the second run must change nothing.
 *
 * Each string carries canary commands (`$(touch K)`, backticks, `; touch K`, awk's
 * `system()`, sed's `e`, a `>K` redirection...). In paths, K is a bare word (a path's
 * `/` would only make a folder), found by name in the places a command could run; in
 * every other argument it is an absolute path in /tmp.
 *
 * A value no host can be given (a NUL; a line break in a path, a name, a line, a marker
 * or a crontab entry; a `:` in a passwd field) must be refused: that is checked for every
 * such string in-process (the call-site check, then the operation's generator, before
 * any fact is read), and for a sample through the CLI (exit 2 or a failed host, the
 * argument named, nothing run).
 *
 * @module
 */
import { fc } from "../_deps.ts";
import { type RunResult, tsinfraIn } from "../_cli.ts";
import { checkImpossibleValues } from "../../src/core/option_types.ts";
import * as fileOps from "../../src/operations/files.ts";
import * as serverOps from "../../src/operations/server.ts";
import type { Operation } from "../../src/core/operation.ts";
import { generateWith } from "./_context.ts";

/** An operation whatever its options. */
type AnyOperation = Operation<Record<string, unknown>>;

/** The placeholder for the canary in generated strings (replaced per slot). */
export const K = "\u{E000}K\u{E000}";

/** Shell, sed, awk, printf, regex and option metacharacters, and canary commands. */
const FRAGMENTS: string[] = [
  `$(touch ${K})`,
  "`touch " + K + "`",
  `; touch ${K}`,
  `' ; touch ${K} #`,
  `" ; touch ${K} #`,
  `\\"; touch ${K} #`,
  `'"'"'; touch ${K}; '`,
  `&& touch ${K}`,
  `|| touch ${K}`,
  `| touch ${K}`,
  `& touch ${K} &`,
  `>${K}`,
  `>>${K} `,
  `$(touch${"${IFS}"}${K})`,
  `\${IFS}touch\${IFS}${K}`,
  `$'\\x27'; touch ${K}`,
  `<(touch ${K})`,
  `\\/e touch ${K};#`,
  `/e touch ${K}`,
  `e touch ${K}`,
  `s/x/touch ${K}/e`,
  `1e touch ${K}`,
  `|\\/{system("touch ${K}")}`,
  `{system("touch ${K}")}`,
  `BEGIN{system("touch ${K}")}`,
  `"; system("touch ${K}"); "`,
  `\ntouch ${K}\n`,
  `\r\ntouch ${K}\r\n`,
  `%`,
  `%s`,
  `%n%n`,
  `%%`,
  `%b`,
  `\\`,
  `\\\\`,
  `\\'`,
  `\\"`,
  `\\n`,
  `\\c`,
  `\\0`,
  `\\1`,
  `\\&`,
  `&`,
  `/`,
  `//`,
  `|`,
  `#`,
  `!`,
  `!!`,
  `~`,
  `*`,
  `?`,
  `[a-z]`,
  `[`,
  `]`,
  `(`,
  `)`,
  `{`,
  `}`,
  `.*`,
  `^`,
  `$`,
  `$$`,
  `$1`,
  `$HOME`,
  `\${HOME}`,
  `=`,
  `a=b`,
  `-`,
  `--`,
  `-n `,
  `-e `,
  `--help`,
  ` `,
  `  `,
  `\t`,
  `\r`,
  `\n`,
  `\u0001`,
  `\u001b[31m`,
  `\u007f`,
  `\u00a0`,
  `é`,
  `caf\u0065\u0301`,
  `日本語`,
  `𝄞`,
  `😀`,
  `\u200b`,
  `\u202e`,
  `\u2028`,
  `\ufeff`,
  `<%= it %>`,
  `{{ x }}`,
  `{% raw %}`,
  `\0`,
];

/** Fragments whose canary a string must carry (one at least). */
const CANARIES = FRAGMENTS.filter((fragment) => fragment.includes(K));

/** Texts a string must not hold: they mean something to the test's own setup. */
const RESERVED = ["{mark}", "PYINFRA BLOCK", "zqxmarker", "key = "];

/**
 * A hostile string: a canary command placed among fragments, random printable ASCII and
 * random Unicode graphemes; a third start with `-`. Every string is well-formed Unicode
 * (a lone surrogate has no UTF-8 bytes) and at most ~120 characters.
 */
export function hostileString(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...FRAGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 6 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }) },
  );
  return fc.tuple(
    fc.constantFrom(...CANARIES),
    fc.array(piece, { minLength: 0, maxLength: 6 }),
    fc.nat(),
    fc.constantFrom("", "", "-", "--", " "),
  ).map(([canary, pieces, at, lead]) => {
    pieces.splice(at % (pieces.length + 1), 0, canary);
    return lead + pieces.join("");
  }).filter((text) =>
    text.isWellFormed() && [...text].length <= 120 &&
    !RESERVED.some((reserved) => text.includes(reserved))
  );
}

/**
 * `count` different strings, the same for a given seed (different, so that no two
 * crontab entries share a command: an entry is also found by its command).
 */
export function sampleStrings(seed: number, count: number): string[] {
  const strings = new Set<string>();
  for (let round = 0; strings.size < count; round++) {
    for (const text of fc.sample(hostileString(), { seed: seed + round, numRuns: count })) {
      if (strings.size < count) strings.add(text);
    }
  }
  return [...strings];
}

/** A value written as a TypeScript literal. */
function lit(value: unknown): string {
  return JSON.stringify(value);
}

/** Single-quotes a word for the shell. */
export function shq(text: string): string {
  return "'" + text.replaceAll("'", `'"'"'`) + "'";
}

/** A path component made of `text`: `/` becomes `∕`, at most 200 UTF-8 bytes. */
export function nameOf(index: number, text: string): string {
  let name = `${index}-${text.replaceAll("/", "\u2215")}`;
  while (new TextEncoder().encode(name).length > 200) name = [...name].slice(0, -1).join("");
  return name;
}

/** What one entry under the batch's root must be. */
export type Entry =
  | { type: "f"; content: string }
  | { type: "d" }
  | { type: "l"; target: string };

/** What a batch expects on the target, beside the files under its root. */
export interface Expected {
  /** Entries under the root, by path relative to it. */
  entries: Map<string, Entry>;
  /** Users and the comment and home each must have. */
  users: Map<string, { comment: string; home: string }>;
  /** The crontab user's lines (blank lines left out), in order. */
  cronLines: string[];
}

/** One operation argument that generated strings are pushed through. */
export interface Slot {
  /** `files.line line`: the operation and the argument. */
  name: string;
  /** The operation's name (`files.line`). */
  op: string;
  /** The operation, for the in-process refusal check. */
  operation: AnyOperation;
  /** Whether the string is an impossible value here; then it must be refused. */
  refuses(text: string): boolean;
  /**
   * A known defect or limitation this string meets here (then it is not run, and counted
   * and printed as known), or undefined.
   */
  known?(text: string): string | undefined;
  /** Whether the canary in this slot is a bare word (a path) rather than a /tmp path. */
  inPath?: boolean;
  /** Needs root on the target (users) or crontab. */
  needs?: "root" | "crontab";
  /** The operation's arguments (also used for the in-process refusal check). */
  args(b: BatchContext, i: number, text: string): Record<string, unknown>;
  /** TypeScript for the deploy (by default: the operation called with `args`). */
  source?(b: BatchContext, i: number, text: string): string;
  /** Files (relative to the root) the test writes before the first run. */
  setup?(i: number, text: string): Record<string, string>;
  /** Records what the target must hold. */
  expect(b: BatchContext, i: number, text: string, expected: Expected): void;
  /** The operation changes every run (server.shell): left out of the second-run check. */
  alwaysChanges?: boolean;
}

/** What a batch's slots need to know. */
export interface BatchContext {
  /** The batch's folder on the target. */
  root: string;
  /** A tag unique to the batch (user names). */
  tag: string;
  /** The crontab user. */
  cronUser: string;
  /** `--data` pairs. */
  cliData: string[];
  /** Inventory host data. */
  hostData: Record<string, string>;
  /** Files written beside the deploy (payloads, templates). */
  localFiles: Record<string, string>;
}

const hasNul = (text: string) => text.includes("\0");
const hasBreak = (text: string) => /[\n\r\0]/.test(text);
const hasNewline = (text: string) => /[\n\0]/.test(text);
// A colon or any control character: /etc/passwd and shadow's tools cannot hold them.
// deno-lint-ignore no-control-regex
const notPasswd = (text: string) => /[\x00-\x1f\x7f:]/.test(text);

function fileEntry(content: string): Entry {
  return { type: "f", content };
}

function block(content: string, begin = "# BEGIN PYINFRA BLOCK", end = "# END PYINFRA BLOCK") {
  return `${begin}\n${content}\n${end}\n`;
}

/** `zqxmarker` as a sed pattern of nine groups, one letter each. */
const GROUPS = [..."zqxmarker"].map((c) => `\\(${c}\\)`).join("");

/** A files.replace replacement as sed writes it: `\N` is group N, the rest literal. */
function withGroups(replacement: string): string {
  return replacement.replace(
    /\\([1-9])|[^]/g,
    (all, group) => group ? "zqxmarker"[Number(group) - 1] : all,
  );
}

/** Every slot, in the order strings are dealt to them. */
export const SLOTS: Slot[] = [
  {
    name: "files.file path",
    op: "files.file",
    operation: fileOps.file as unknown as AnyOperation,
    inPath: true,
    refuses: hasBreak,
    args: (b, i, s) => ({ path: `${b.root}/file/${nameOf(i, s)}` }),
    expect: (_b, i, s, e) => void e.entries.set(`file/${nameOf(i, s)}`, fileEntry("")),
  },
  {
    name: "files.directory path",
    op: "files.directory",
    operation: fileOps.directory as unknown as AnyOperation,
    inPath: true,
    refuses: hasBreak,
    args: (b, i, s) => ({ path: `${b.root}/dir/${nameOf(i, s)}` }),
    expect: (_b, i, s, e) => void e.entries.set(`dir/${nameOf(i, s)}`, { type: "d" }),
  },
  {
    name: "files.link target",
    op: "files.link",
    operation: fileOps.link as unknown as AnyOperation,
    refuses: hasBreak,
    args: (b, i, s) => ({ path: `${b.root}/link/${i}`, target: s }),
    expect: (_b, i, s, e) => void e.entries.set(`link/${i}`, { type: "l", target: s }),
  },
  {
    name: "files.link path",
    op: "files.link",
    operation: fileOps.link as unknown as AnyOperation,
    inPath: true,
    refuses: hasBreak,
    args: (b, i, s) => ({ path: `${b.root}/linkp/${nameOf(i, s)}`, target: "/x y" }),
    expect: (_b, i, s, e) =>
      void e.entries.set(`linkp/${nameOf(i, s)}`, { type: "l", target: "/x y" }),
  },
  {
    name: "files.line line",
    op: "files.line",
    operation: fileOps.line as unknown as AnyOperation,
    refuses: hasNewline,
    args: (b, i, s) => ({ path: `${b.root}/line/${i}`, line: s, escapeRegexCharacters: true }),
    expect: (_b, i, s, e) => void e.entries.set(`line/${i}`, fileEntry(`${s}\n`)),
  },
  {
    name: "files.line replace",
    op: "files.line",
    operation: fileOps.line as unknown as AnyOperation,
    refuses: hasNewline,
    known: (s) =>
      /\\[1-9]/.test(s)
        ? 'files.line replace: `\\1`...`\\9` reach sed as group references (documented as text): sed fails with "invalid reference" when `line` has no such group'
        : undefined,
    setup: (i) => ({ [`linerep/${i}`]: "keep\nkey = old\n" }),
    args: (b, i, s) => ({ path: `${b.root}/linerep/${i}`, line: "^key = ", replace: s }),
    expect: (_b, i, s, e) => void e.entries.set(`linerep/${i}`, fileEntry(`keep\n${s}\n`)),
  },
  {
    name: "files.replace replace",
    op: "files.replace",
    operation: fileOps.replace as unknown as AnyOperation,
    refuses: hasNul,
    setup: (i) => ({ [`replace/${i}`]: "a zqxmarker b\n" }),
    // Nine groups, so that `\1`...`\9` in the replacement (sed's groups, as documented)
    // always refer to one.
    args: (b, i, s) => ({ path: `${b.root}/replace/${i}`, text: GROUPS, replace: s }),
    expect: (_b, i, s, e) =>
      void e.entries.set(`replace/${i}`, fileEntry(`a ${withGroups(s)} b\n`)),
  },
  {
    name: "files.block content",
    op: "files.block",
    operation: fileOps.block as unknown as AnyOperation,
    refuses: hasNul,
    args: (b, i, s) => ({ path: `${b.root}/block/${i}`, content: s }),
    expect: (_b, i, s, e) => void e.entries.set(`block/${i}`, fileEntry(block(s))),
  },
  {
    name: "files.block marker",
    op: "files.block",
    operation: fileOps.block as unknown as AnyOperation,
    refuses: hasNewline,
    setup: (i) => ({ [`marker/${i}`]: "top\n" }),
    args: (b, i, s) => ({ path: `${b.root}/marker/${i}`, content: "x", marker: `# {mark} ${s}` }),
    expect: (_b, i, s, e) =>
      void e.entries.set(
        `marker/${i}`,
        fileEntry(`top\n${block("x", `# BEGIN ${s}`, `# END ${s}`)}`),
      ),
  },
  {
    name: "files.put dest and content",
    op: "files.put",
    operation: fileOps.put as unknown as AnyOperation,
    inPath: true,
    refuses: hasBreak,
    args: (b, i, s) => ({ src: `./payloads/${i}`, dest: `${b.root}/put/${nameOf(i, s)}` }),
    source: (b, i, s) => {
      b.localFiles[`payloads/${i}`] = s;
      return `files.put(${lit({ ...SLOTS[9].args(b, i, s), name: `s${i}` })});`;
    },
    expect: (_b, i, s, e) => void e.entries.set(`put/${nameOf(i, s)}`, fileEntry(s)),
  },
  {
    name: "files.template variable (Eta)",
    op: "files.template",
    operation: fileOps.template as unknown as AnyOperation,
    refuses: hasNul,
    args: (b, i, s) => ({ src: "./raw.eta", dest: `${b.root}/eta/${i}`, vars: { v: s } }),
    expect: (_b, i, s, e) => void e.entries.set(`eta/${i}`, fileEntry(`[${s}]`)),
  },
  {
    name: "files.template variable (Jinja)",
    op: "files.template",
    operation: fileOps.template as unknown as AnyOperation,
    refuses: hasNul,
    args: (b, i, s) => ({ src: "./raw.j2", dest: `${b.root}/j2/${i}`, vars: { v: s } }),
    expect: (_b, i, s, e) => void e.entries.set(`j2/${i}`, fileEntry(`[${s}]`)),
  },
  {
    name: "server.user comment and home",
    op: "server.user",
    operation: serverOps.user as unknown as AnyOperation,
    needs: "root",
    refuses: notPasswd,
    args: (b, i, s) => ({
      user: `${b.tag}u${i}`,
      comment: s,
      home: `${b.root}/home/${nameOf(i, s)}`,
    }),
    expect: (b, i, s, e) => {
      e.users.set(`${b.tag}u${i}`, { comment: s, home: `${b.root}/home/${nameOf(i, s)}` });
      e.entries.set(`home/${nameOf(i, s)}`, { type: "d" });
    },
  },
  {
    name: "server.crontab command",
    op: "server.crontab",
    operation: serverOps.crontab as unknown as AnyOperation,
    needs: "crontab",
    refuses: hasBreak,
    known: (s) =>
      s.includes("\b")
        ? "server.crontab: a command holding U+0008 (backspace) ends up in the crontab as the two characters `\\b` and is reported changed on every run"
        : /^\s*\*/.test(s)
        ? "cron itself refuses a command that starts with * (crontab: bad command); tsinfra reports its message"
        : undefined,
    // 31 February: cron never runs these, were it running.
    args: (b, i, s) => ({
      command: s,
      user: b.cronUser,
      cronName: `c${i}`,
      minute: 0,
      hour: 0,
      dayOfMonth: 31,
      month: 2,
    }),
    expect: (_b, i, s, e) => void e.cronLines.push(`# pyinfra-name=c${i}`, `0 0 31 2 * ${s}`),
  },
  {
    name: "_env value (server.shell)",
    op: "server.shell",
    operation: serverOps.shell as unknown as AnyOperation,
    refuses: hasNul,
    alwaysChanges: true,
    args: (b, i, s) => ({
      commands: [`printf '%s' "$TSINFRA_V" > ${shq(`${b.root}/env/${i}`)}`],
      _env: { TSINFRA_V: s },
    }),
    expect: (_b, i, s, e) => void e.entries.set(`env/${i}`, fileEntry(s)),
  },
  {
    name: "--data value (files.block content)",
    op: "files.block",
    operation: fileOps.block as unknown as AnyOperation,
    refuses: hasNul,
    args: (b, i, s) => ({ path: `${b.root}/data/${i}`, content: s }),
    source: (b, i, s) => {
      // parseCliValue reads JSON when it can: a string that is JSON goes quoted.
      let raw = true;
      try {
        JSON.parse(s);
        raw = false;
      } catch {
        // not JSON: given as it is
      }
      b.cliData.push("--data", `d${i}=${raw ? s : JSON.stringify(s)}`);
      return `files.block({ path: ${lit(`${b.root}/data/${i}`)}, content: host.data[${
        lit(`d${i}`)
      }] as string, name: ${lit(`s${i}`)} });`;
    },
    expect: (_b, i, s, e) => void e.entries.set(`data/${i}`, fileEntry(block(s))),
  },
  {
    name: "inventory data (files.line line)",
    op: "files.line",
    operation: fileOps.line as unknown as AnyOperation,
    refuses: hasNewline,
    args: (b, i, s) => ({ path: `${b.root}/inv/${i}`, line: s, escapeRegexCharacters: true }),
    source: (b, i, s) => {
      b.hostData[`v${i}`] = s;
      return `files.line({ path: ${lit(`${b.root}/inv/${i}`)}, line: host.data[${
        lit(`v${i}`)
      }] as string, escapeRegexCharacters: true, name: ${lit(`s${i}`)} });`;
    },
    expect: (_b, i, s, e) => void e.entries.set(`inv/${i}`, fileEntry(`${s}\n`)),
  },
];

/** The folders under a batch's root that slots write into. */
export const SLOT_FOLDERS = [
  "file",
  "dir",
  "link",
  "linkp",
  "line",
  "linerep",
  "replace",
  "block",
  "marker",
  "put",
  "eta",
  "j2",
  "env",
  "data",
  "inv",
  "home",
];

/** The source of a slot's call, named `s<i>` so the --json report finds it. */
function callSource(slot: Slot, b: BatchContext, i: number, text: string): string {
  if (slot.source) return slot.source(b, i, text);
  const args = { ...slot.args(b, i, text), name: `s${i}` };
  return `${slot.op}(${lit(args)});`;
}

/** One string dealt to one slot; `text` has its canary filled in. */
export interface Case {
  index: number;
  slot: Slot;
  text: string;
}

/** The canary fillings of a run: a bare word in paths, a /tmp path elsewhere. */
export interface Canary {
  /** The bare word (also the prefix of the /tmp file's name). */
  word: string;
  /** The absolute path used outside paths. */
  path: string;
}

/** A canary for one run, unique to it. */
export function newCanary(): Canary {
  const word = `tsinfra-canary-${crypto.randomUUID().slice(0, 8)}`;
  return { word, path: `/tmp/${word}-abs` };
}

/**
 * Deals the strings to the slots in turn (a slot at its cap in `caps` is passed over), with
 * the canary filled in, and splits them into the possible values, those to refuse, and
 * those that meet a known defect (by its description).
 */
export function deal(
  strings: string[],
  slots: Slot[],
  canary: Canary,
  caps: Record<string, number> = {},
): { accepted: Case[]; refused: Case[]; known: Map<string, Case[]>; perSlot: Map<string, number> } {
  const accepted: Case[] = [];
  const refused: Case[] = [];
  const known = new Map<string, Case[]>();
  const perSlot = new Map<string, number>();
  let turn = 0;
  strings.forEach((raw, index) => {
    // A slot given a cap (server.user reads every user for each call) takes no more.
    let slot = slots[turn++ % slots.length];
    for (let tries = 0; (perSlot.get(slot.name) ?? 0) >= (caps[slot.name] ?? Infinity); tries++) {
      if (tries > slots.length) throw new Error("Every slot is at its cap");
      slot = slots[turn++ % slots.length];
    }
    perSlot.set(slot.name, (perSlot.get(slot.name) ?? 0) + 1);
    const text = raw.replaceAll(K, slot.inPath ? canary.word : canary.path);
    const reason = slot.refuses(text) ? undefined : slot.known?.(text);
    if (reason) known.set(reason, [...known.get(reason) ?? [], { index, slot, text }]);
    else (slot.refuses(text) ? refused : accepted).push({ index, slot, text });
  });
  return { accepted, refused, known, perSlot };
}

/** A deploy for a batch of cases, with what the target must hold afterwards. */
export interface Batch {
  context: BatchContext;
  cases: Case[];
  deploy: string;
  inventoryData: Record<string, string>;
  setupFiles: Record<string, string>;
  expected: Expected;
}

/** Builds the deploy, its data and the expectations of a batch. */
export function buildBatch(cases: Case[], root: string, tag: string): Batch {
  const context: BatchContext = {
    root,
    tag,
    cronUser: `${tag}cron`,
    cliData: [],
    hostData: {},
    localFiles: {
      "raw.eta": "[<%~ it.v %>]",
      "raw.j2": "[{{ v }}]",
    },
  };
  const expected: Expected = { entries: new Map(), users: new Map(), cronLines: [] };
  const setupFiles: Record<string, string> = {};
  for (const folder of SLOT_FOLDERS) expected.entries.set(folder, { type: "d" });
  const calls: string[] = [];
  for (const { index, slot, text } of cases) {
    calls.push(callSource(slot, context, index, text));
    for (const [file, bytes] of Object.entries(slot.setup?.(index, text) ?? {})) {
      setupFiles[file] = bytes;
    }
    slot.expect(context, index, text, expected);
  }
  const deploy =
    `import { files, host, server } from "tsinfra";\nvoid files; void host; void server;\n` +
    calls.join("\n") + "\n";
  return { context, cases, deploy, inventoryData: context.hostData, setupFiles, expected };
}

/**
 * Checks in-process that every impossible value is refused before anything runs: by the
 * call-site check, or by the operation's generator before it reads a fact. Returns the
 * cases that were not refused, with what happened.
 */
export async function checkRefusals(cases: Case[], root: string): Promise<string[]> {
  const context: BatchContext = {
    root,
    tag: "tsr",
    cronUser: "tsrcron",
    cliData: [],
    hostData: {},
    localFiles: {},
  };
  const problems: string[] = [];
  for (const { index, slot, text } of cases) {
    const args = slot.args(context, index, text);
    try {
      checkImpossibleValues(slot.op, args, "deploy.ts:1:1");
    } catch (error) {
      if (/NUL|line break/.test(String(error))) continue;
      problems.push(`${slot.name} ${lit(text)}: an unclear refusal: ${error}`);
      continue;
    }
    let message = "";
    let commands: unknown[] = [];
    try {
      const generated = await generateWith(slot.operation, args, {
        facts: () => {
          throw new Error("a fact was read before the value was refused");
        },
      });
      commands = generated.commands;
    } catch (error) {
      message = String(error);
    }
    if (!/(OperationValueError|ArgumentError).*(`|NUL|newline|line break|colon)/s.test(message)) {
      problems.push(
        `${slot.name} ${lit(text)}: not refused (${message || `commands ${lit(commands)}`})`,
      );
    }
  }
  return problems;
}

/** Where commands run and how the test looks at the result. */
export interface Target {
  /** A label for messages (`@local`). */
  label: string;
  /** The inventory file's source, given the host data. */
  inventory(data: Record<string, string>): string;
  /** Extra CLI arguments (`--sudo`). */
  cliArgs: string[];
  /** Runs a shell script on the target as root. */
  sh(script: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Whether the target can take each slot's needs. */
  can: { root: boolean; crontab: boolean };
  /** Folders where a canary would land (a command's working folder, home, /, /tmp). */
  canaryPlaces: string[];
}

/** The tallies of a property run. */
export interface Tally {
  strings: number;
  accepted: number;
  refused: number;
  /** Cases not run because they meet a known defect, by its description. */
  known: Record<string, string[]>;
  batches: number;
  runs: number;
  escapes: string[];
  wrongBytes: string[];
  secondRunChanges: string[];
  failures: string[];
  refusalProblems: string[];
}

/** An empty tally. */
export function newTally(): Tally {
  return {
    strings: 0,
    accepted: 0,
    refused: 0,
    known: {},
    batches: 0,
    runs: 0,
    escapes: [],
    wrongBytes: [],
    secondRunChanges: [],
    failures: [],
    refusalProblems: [],
  };
}

/** The tally as one line. */
export function summary(label: string, tally: Tally): string {
  return `${label}: ${tally.strings} strings (${tally.accepted} run in ${tally.batches} ` +
    `batches, ${tally.runs} CLI runs; ${tally.refused} refused as impossible), ` +
    `escapes ${tally.escapes.length}, wrong bytes ${tally.wrongBytes.length}, ` +
    `changes on a second run ${tally.secondRunChanges.length}, failed operations ` +
    `${tally.failures.length}, refusal problems ${tally.refusalProblems.length}, not run ` +
    `for a known defect ${Object.values(tally.known).flat().length}` +
    Object.entries(tally.known).map(([reason, cases]) =>
      `\n  KNOWN (${cases.length}): ${reason}; e.g. ${cases[0]}`
    ).join("");
}

/** The first few problems of a tally, for an assertion message. */
export function problems(tally: Tally, max = 15): string {
  const all = [
    ...tally.escapes.map((p) => `ESCAPE ${p}`),
    ...tally.wrongBytes.map((p) => `WRONG BYTES ${p}`),
    ...tally.secondRunChanges.map((p) => `SECOND RUN CHANGED ${p}`),
    ...tally.failures.map((p) => `FAILED ${p}`),
    ...tally.refusalProblems.map((p) => `NOT REFUSED ${p}`),
  ];
  return all.slice(0, max).join("\n") + (all.length > max ? `\n... ${all.length - max} more` : "");
}

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
}

/**
 * GNU find dumping a tree as NUL-separated records: type, name, then a link's target or
 * a file's size and bytes (find flushes its output before each -exec).
 */
const DUMP_TREE = `find . -mindepth 1 \\( -type l -printf 'l\\0%P\\0%l\\0' \\) ` +
  `-o \\( -type d -printf 'd\\0%P\\0' \\) ` +
  `-o \\( -type f -printf 'f\\0%P\\0%s\\0' -exec cat {} \\; \\)`;

/** Every entry under `root` on the target, by path relative to it. */
export async function readTree(target: Target, root: string): Promise<Map<string, Entry>> {
  const out = await target.sh(`cd ${shq(root)} && ${DUMP_TREE} | base64 -w0`);
  if (out.code !== 0 || !out.stdout.trim()) {
    throw new Error(`Cannot read ${root} on ${target.label}: ${out.stderr}`);
  }
  const bytes = decodeBase64(out.stdout);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const entries = new Map<string, Entry>();
  let at = 0;
  const field = () => {
    const end = bytes.indexOf(0, at);
    const text = decoder.decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  while (at < bytes.length) {
    const type = field();
    const name = field();
    if (type === "d") entries.set(name, { type: "d" });
    else if (type === "l") entries.set(name, { type: "l", target: field() });
    else {
      const size = Number(field());
      let content: string;
      try {
        content = decoder.decode(bytes.subarray(at, at + size));
      } catch {
        content = `<not UTF-8: ${bytes.subarray(at, at + size).join(",")}>`;
      }
      at += size;
      entries.set(name, { type: "f", content });
    }
  }
  return entries;
}

/** Names of canary files found in the target's canary places. */
async function findCanaries(target: Target, canary: Canary): Promise<string[]> {
  const places = target.canaryPlaces.map(shq).join(" ");
  const out = await target.sh(
    `find ${places} -xdev -maxdepth 2 -name ${shq(`*${canary.word}*`)} 2>/dev/null || true`,
  );
  return out.stdout.split("\n").filter(Boolean);
}

/** A case in one line: slot, index, the exact string. */
export function describeCase(c: Case): string {
  return `${c.slot.name} #${c.index} ${lit(c.text)}`;
}

interface Report {
  code: number;
  statuses: Map<string, { status: string; error: string | null }>;
  text: string;
}

async function runDeploy(target: Target, dir: string, extra: string[]): Promise<Report> {
  const result: RunResult = await tsinfraIn(
    dir,
    "inventory.ts",
    "deploy.ts",
    "-y",
    "--json",
    ...target.cliArgs,
    ...extra,
  );
  const statuses = new Map<string, { status: string; error: string | null }>();
  let text = `exit ${result.code}\n${result.stdout.slice(0, 3000)}\n${
    result.stderr.slice(0, 3000)
  }`;
  try {
    const report = JSON.parse(result.stdout);
    for (const host of Object.values(report.hosts) as Record<string, unknown>[]) {
      if (host.error) text = `host error: ${host.error}\n${text}`;
      for (const op of host.operations as { name: string; status: string; error: string }[]) {
        statuses.set(op.name, { status: op.status, error: op.error });
      }
    }
  } catch {
    // no report: the whole run failed, `text` says why
  }
  return { code: result.code, statuses, text };
}

/**
 * Runs one batch on a target: writes its files, runs the deploy twice, and records every
 * escape, wrong byte, failure and second-run change in the tally.
 *
 * @param dir an empty controller folder for the deploy
 */
export async function runBatch(
  target: Target,
  dir: string,
  batch: Batch,
  canary: Canary,
  tally: Tally,
): Promise<void> {
  const { context, expected } = batch;
  const root = context.root;
  tally.batches++;
  // The controller's files: deploy, inventory, payloads and templates.
  await Deno.writeTextFile(`${dir}/deploy.ts`, batch.deploy);
  await Deno.writeTextFile(`${dir}/inventory.ts`, target.inventory(batch.inventoryData));
  await Deno.mkdir(`${dir}/payloads`, { recursive: true });
  for (const [file, bytes] of Object.entries(context.localFiles)) {
    await Deno.writeTextFile(`${dir}/${file}`, bytes);
  }
  // The target's folders, setup files and the crontab user.
  const setup = [
    `mkdir -p ${SLOT_FOLDERS.map((f) => shq(`${root}/${f}`)).join(" ")}`,
    ...Object.entries(batch.setupFiles).map(([file, bytes]) =>
      `printf '%s' ${shq(bytes)} > ${shq(`${root}/${file}`)}`
    ),
  ];
  for (const [file, bytes] of Object.entries(batch.setupFiles)) {
    expected.entries.set(file, expected.entries.get(file) ?? { type: "f", content: bytes });
  }
  const usesCron = batch.cases.some((c) => c.slot.needs === "crontab");
  if (usesCron) setup.push(`useradd -M ${context.cronUser}`);
  const prepared = await target.sh(setup.join(" && "));
  if (prepared.code !== 0) throw new Error(`Setup on ${target.label}: ${prepared.stderr}`);

  const check = async (when: string) => {
    for (const found of await findCanaries(target, canary)) {
      tally.escapes.push(
        `${when}: canary ${found} (batch ${context.tag}: ${
          batch.cases.map(describeCase).join("; ").slice(0, 4000)
        })`,
      );
      await target.sh(`rm -f ${shq(found)}`);
    }
    const tree = await readTree(target, root);
    for (const [name, wanted] of expected.entries) {
      const got = tree.get(name);
      if (lit(got) !== lit(wanted)) {
        const owner = batch.cases.find((c) =>
          name.endsWith(`/${c.index}`) ||
          name.includes(`/${c.index}-`)
        );
        tally.wrongBytes.push(
          `${when}: ${owner ? describeCase(owner) : name}: wanted ${lit(wanted)}, found ${
            lit(got ?? null)
          }`,
        );
      }
    }
    for (const name of tree.keys()) {
      if (!expected.entries.has(name)) {
        tally.wrongBytes.push(`${when}: unexpected entry ${lit(name)} under the root`);
      }
    }
    if (expected.users.size) {
      const names = [...expected.users.keys()];
      const out = await target.sh(`getent passwd ${names.join(" ")} | base64 -w0`);
      const lines = new TextDecoder("utf-8", { ignoreBOM: true }).decode(decodeBase64(out.stdout))
        .split("\n");
      for (const [user, wanted] of expected.users) {
        const fields = lines.find((l) => l.startsWith(`${user}:`))?.split(":");
        const got = fields ? { comment: fields[4], home: fields[5] } : null;
        if (lit(got) !== lit(wanted)) {
          const owner = batch.cases.find((c) => `${context.tag}u${c.index}` === user);
          tally.wrongBytes.push(
            `${when}: ${owner ? describeCase(owner) : user}: passwd wanted ${lit(wanted)}, found ${
              lit(got)
            }`,
          );
        }
      }
    }
    if (usesCron) {
      const out = await target.sh(`crontab -l -u ${context.cronUser} | base64 -w0`);
      const lines = new TextDecoder("utf-8", { ignoreBOM: true }).decode(decodeBase64(out.stdout))
        .split("\n").filter((l) => l !== "");
      if (lit(lines) !== lit(expected.cronLines)) {
        const bad = expected.cronLines.filter((l) => !lines.includes(l));
        tally.wrongBytes.push(
          `${when}: crontab of ${context.cronUser}: missing ${lit(bad.slice(0, 6))}; extra ${
            lit(lines.filter((l) => !expected.cronLines.includes(l)).slice(0, 6))
          }`,
        );
      }
    }
  };

  const extra = context.cliData;
  for (const run of [1, 2]) {
    const report = await runDeploy(target, dir, extra);
    tally.runs++;
    if (report.code !== 0 && report.statuses.size === 0) {
      tally.failures.push(`run ${run} of batch ${context.tag} failed: ${report.text}`);
      return;
    }
    for (const c of batch.cases) {
      const seen = report.statuses.get(`s${c.index}`);
      const wanted = run === 1 || c.slot.alwaysChanges ? "changed" : "noChange";
      if (!seen || seen.status === "error") {
        tally.failures.push(
          `run ${run}: ${describeCase(c)}: ${seen ? seen.error : "not run"}${
            seen ? "" : ` (${report.text.slice(0, 600)})`
          }`,
        );
      } else if (seen.status !== wanted) {
        (run === 1 ? tally.failures : tally.secondRunChanges).push(
          `run ${run}: ${describeCase(c)}: ${seen.status}, wanted ${wanted}`,
        );
      }
    }
    await check(`after run ${run}`);
  }
}

/** Removes a batch's users (the crontab user too) from the target. */
export async function removeUsers(target: Target, batch: Batch): Promise<void> {
  const users = [...batch.expected.users.keys()];
  if (batch.cases.some((c) => c.slot.needs === "crontab")) {
    users.push(batch.context.cronUser);
    await target.sh(`crontab -r -u ${batch.context.cronUser} 2>/dev/null || true`);
  }
  if (!users.length) return;
  await target.sh(`for u in ${users.join(" ")}; do userdel "$u" 2>/dev/null; done; true`);
}

/**
 * Runs a sample of refused cases through the CLI, one run each: the run must fail (exit
 * 2, or a failed host), name the argument, and run nothing (no canary, no file).
 */
export async function runRefusals(
  target: Target,
  dir: string,
  cases: Case[],
  root: string,
  canary: Canary,
  tally: Tally,
): Promise<void> {
  for (const c of cases) {
    const batch = buildBatch([c], root, `tsr${c.index}`);
    await Deno.writeTextFile(`${dir}/deploy.ts`, batch.deploy);
    await Deno.mkdir(`${dir}/payloads`, { recursive: true });
    for (const [file, bytes] of Object.entries(batch.context.localFiles)) {
      await Deno.writeTextFile(`${dir}/${file}`, bytes);
    }
    await Deno.writeTextFile(`${dir}/inventory.ts`, target.inventory(batch.inventoryData));
    await target.sh(`mkdir -p ${shq(root)}`);
    const result = await tsinfraIn(
      dir,
      "inventory.ts",
      "deploy.ts",
      "-y",
      "--json",
      ...target.cliArgs,
    );
    tally.runs++;
    const output = result.stdout + result.stderr;
    const named = /NUL|line break|newline|colon/.test(output);
    if (result.code === 0 || !named) {
      tally.refusalProblems.push(
        `${describeCase(c)} through the CLI: exit ${result.code}, ${output.slice(0, 500)}`,
      );
    }
    for (const found of await findCanaries(target, canary)) {
      tally.escapes.push(`refused ${describeCase(c)}: canary ${found}`);
    }
  }
}
