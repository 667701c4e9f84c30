/**
 * Call sites: where in the user's files an operation was called. Operations are
 * identified across hosts by their call site, so the order of a deploy is the order
 * of its source, as in pyinfra.
 *
 * @module
 */

/** One frame of a call site: a user file, line and column. */
export interface Frame {
  file: string;
  line: number;
  column: number;
}

/** Maps a module URL to the user's real file path, or undefined for non-user code. */
export type FileMapper = (url: string) => string | undefined;

interface V8CallSite {
  getFileName(): string | undefined | null;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

type PrepareStackTrace = (error: Error, sites: V8CallSite[]) => unknown;
const ErrorWithPrepare = Error as unknown as { prepareStackTrace?: PrepareStackTrace };

/**
 * The user frames on the current stack, outermost first, mapped to real file paths.
 * Uses V8's structured call sites, which see the full module URL of each frame.
 */
export function captureCallSite(mapFile: FileMapper): Frame[] {
  const previous = ErrorWithPrepare.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let sites: V8CallSite[] = [];
  try {
    Error.stackTraceLimit = 200;
    ErrorWithPrepare.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder as object, captureCallSite);
    sites = holder.stack as V8CallSite[];
  } finally {
    ErrorWithPrepare.prepareStackTrace = previous;
    Error.stackTraceLimit = limit;
  }
  const frames: Frame[] = [];
  for (const site of sites) {
    const name = site.getFileName();
    if (!name) continue;
    const file = mapFile(name);
    if (file === undefined) continue;
    frames.push({ file, line: site.getLineNumber() ?? 0, column: site.getColumnNumber() ?? 0 });
  }
  return frames.reverse();
}

/** `deploy.ts:12:3`, relative to `base` when the file is under it. */
export function formatFrame(frame: Frame, base?: string): string {
  let file = frame.file;
  if (base && file.startsWith(base + "/")) file = file.slice(base.length + 1);
  return `${file}:${frame.line}:${frame.column}`;
}

/** The innermost frame of a call site: where the call was written. */
export function innermost(frames: readonly Frame[]): Frame | undefined {
  return frames[frames.length - 1];
}

/** A stable text key for a call site. */
export function callSiteKey(frames: readonly Frame[]): string {
  return frames.map((f) => `${f.file}:${f.line}:${f.column}`).join(" > ");
}
