/**
 * Reading what `stat` prints: permission strings (`rwsr-xr-x`) as pyinfra's modes, and
 * the link target out of GNU's shell-quoted or BSD's bare `%N`.
 *
 * @module
 */

// Per position of `rwxrwxrwx`: the bits each character sets (special bits included).
const PERMISSION_BITS: Record<string, number>[] = [
  { r: 0o400 },
  { w: 0o200 },
  { x: 0o100, S: 0o4000, s: 0o4100 },
  { r: 0o040 },
  { w: 0o020 },
  { x: 0o010, S: 0o2000, s: 0o2010 },
  { r: 0o004 },
  { w: 0o002 },
  { x: 0o001, T: 0o1000, t: 0o1001 },
];

/**
 * `rwsr-Sr--` -> 6744: permission bits as pyinfra writes modes, octal digits read as a
 * decimal number.
 *
 * @example
 * ```ts
 * import { parseMode } from "./stat.ts";
 * parseMode("rwxr-xr-x"); // 755
 * ```
 */
export function parseMode(text: string): number {
  let bits = 0;
  [...text].forEach((char, i) => (bits |= PERMISSION_BITS[i]?.[char] ?? 0));
  return Number(bits.toString(8));
}

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

// The one-character escapes of bash's $'...' (what GNU stat's quoting writes).
const C_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  e: 27,
  E: 27,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
  "'": 39,
  '"': 34,
  "?": 63,
};

/**
 * The bytes of the body of a `$'...'` word: C escapes, `\NNN` octal and `\xHH` hex
 * bytes (GNU stat writes each byte of a name that is not printable in the C locale as
 * octal, `é` as `\303\251`), other text as UTF-8.
 */
function cEscapedBytes(body: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "\\" || i + 1 >= body.length) {
      bytes.push(...ENCODER.encode(body[i]));
      continue;
    }
    const next = body[i + 1];
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1));
    const hex = next === "x" ? /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 2)) : null;
    if (octal) {
      bytes.push(parseInt(octal[0], 8) & 0xff);
      i += octal[0].length;
    } else if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 1 + hex[0].length;
    } else if (next in C_ESCAPES) {
      bytes.push(C_ESCAPES[next]);
      i++;
    } else {
      bytes.push(92, ...ENCODER.encode(next));
      i++;
    }
  }
  return bytes;
}

/**
 * Reads one shell-quoted word as GNU stat's `%N` writes it ('a', "it's", $'\n',
 * $'\303\251', or a mix), from `start`; returns the text and where the word ends.
 */
function readQuotedWord(text: string, start: number): [string, number] {
  const out: number[] = [];
  const add = (part: string) => out.push(...ENCODER.encode(part));
  let i = start;
  while (i < text.length && text[i] !== " ") {
    const char = text[i];
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      add(text.slice(i + 1, end < 0 ? undefined : end));
      i = end < 0 ? text.length : end + 1;
    } else if (char === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        add(text[i++]);
      }
      i++;
    } else if (char === "$" && text[i + 1] === "'") {
      // The body ends at the first quote not escaped by a backslash.
      let end = i + 2;
      while (end < text.length && text[end] !== "'") end += text[end] === "\\" ? 2 : 1;
      out.push(...cEscapedBytes(text.slice(i + 2, end)));
      i = end + 1;
    } else if (char === "`" && i === start) {
      // Old GNU stat quotes as `name'.
      const end = text.indexOf("'", i + 1);
      return end < 0 ? [text.slice(i + 1), text.length] : [text.slice(i + 1, end), end + 1];
    } else if (char === "\\" && i + 1 < text.length) {
      add(text[i + 1]); // shell-escape style: 'it'\\''s'
      i += 2;
    } else {
      add(char);
      i++;
    }
  }
  return [DECODER.decode(new Uint8Array(out)), i];
}

/**
 * The target of `'link' -> 'target'` as stat prints it, quotes removed. GNU stat quotes
 * both names in shell style; BSD stat prints them bare, so a bare target is taken to the
 * end of the line, spaces included (as pyinfra does).
 *
 * @example
 * ```ts
 * import { linkTarget } from "./stat.ts";
 * linkTarget(`'/etc/a' -> 'it'\\''s here'`); // "it's here"
 * linkTarget("/etc/a -> /srv/b c"); // "/srv/b c"
 * ```
 */
export function linkTarget(statName: string): string {
  const quoted = /^['"`]|^\$'/.test(statName);
  // Skip a quoted link name first, so an arrow inside it does not count.
  const from = quoted ? readQuotedWord(statName, 0)[1] : 0;
  const arrow = statName.indexOf(" -> ", from);
  if (arrow < 0) return "";
  const rest = statName.slice(arrow + 4);
  if (!/^['"`]|^\$'/.test(rest)) return rest;
  return readQuotedWord(rest, 0)[0];
}
