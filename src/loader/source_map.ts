/**
 * Which data: URL holds which user file, so that stack traces, call sites and error
 * messages name the user's real file instead of the data: URL.
 *
 * @module
 */

import { setUserFileLookup } from "../core/api.ts";

const DATA_URL =
  /data:application\/(?:typescript|javascript|json);base64,([A-Za-z0-9+/=]+(?:\.{6}[A-Za-z0-9+/=]+)?)(?:#[^\s:)]*)?/g;

const byPayload = new Map<string, string>();

function payloadOf(url: string): string {
  const comma = url.indexOf(",");
  const hash = url.indexOf("#");
  return url.slice(comma + 1, hash < 0 ? undefined : hash);
}

/** Records that `url` (a data: URL) was made from the file at `path`. */
export function registerUserModule(url: string, path: string): void {
  byPayload.set(payloadOf(url), path);
}

/** The real path behind a module URL: user files for data: URLs, else undefined. */
export function userFileOf(url: string): string | undefined {
  if (!url.startsWith("data:")) return undefined;
  return byPayload.get(payloadOf(url));
}

function lookupAbbreviated(payload: string): string | undefined {
  const exact = byPayload.get(payload);
  if (exact) return exact;
  const at = payload.indexOf("......");
  if (at < 0) return undefined;
  const head = payload.slice(0, at);
  const tail = payload.slice(at + 6);
  for (const [known, path] of byPayload) {
    if (known.startsWith(head) && known.endsWith(tail)) return path;
  }
  return undefined;
}

/**
 * Replaces every data: URL of a user module in `text` (a message or a stack) by the
 * user's file path; colour codes are removed first.
 */
export function mapUserLocations(text: string): string {
  // deno-lint-ignore no-control-regex -- stripping ANSI colour codes
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.replace(DATA_URL, (whole, payload: string) => lookupAbbreviated(payload) ?? whole);
}

/** The first `file:line:col` of a user file in a (mapped) stack or message. */
export function firstUserLocation(text: string, files: Iterable<string>): string | undefined {
  const mapped = mapUserLocations(text);
  let best: { index: number; where: string } | undefined;
  for (const file of new Set(files)) {
    const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(mapped);
    if (match && (!best || match.index < best.index)) {
      best = { index: match.index, where: `${file}:${match[1]}:${match[2]}` };
    }
  }
  return best?.where;
}

/** Every user file loaded so far. */
export function userFiles(): string[] {
  return [...new Set(byPayload.values())];
}

// `local.include("./x")` needs to know which frames are user files.
setUserFileLookup(userFileOf);
