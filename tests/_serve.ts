/**
 * A static server for the checkout on 127.0.0.1, sending TypeScript with TypeScript's
 * content type, as a host serving the library (a release, a git forge) would. Under
 * `/other/` it serves the same files but claims another version in src/version.ts, to
 * stand for a copy of another release.
 *
 * @module
 */
import * as path from "node:path";
import { ROOT } from "./_cli.ts";

/** A running server: its base URL (ending in `/`) and how to stop it. */
export interface Served {
  url: string;
  /** Base URL of the copy that claims version `OTHER_VERSION`. */
  otherUrl: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** The version the `/other/` copy claims. */
export const OTHER_VERSION = "0.0.1-other";

function contentType(file: string): string {
  if (file.endsWith(".ts")) return "application/typescript; charset=utf-8";
  if (file.endsWith(".json")) return "application/json";
  if (file.endsWith(".js")) return "application/javascript";
  return "text/plain";
}

/**
 * Serves the checkout on a free port of 127.0.0.1, under a path of its own: Deno caches
 * remote modules by URL across runs, so a port an earlier server used must not give the
 * same URLs (the modules would come from the cache, not from this server).
 */
export function serveCheckout(): Promise<Served> {
  const requests: string[] = [];
  const base = `/served-${crypto.randomUUID()}`;
  const { promise, resolve } = Promise.withResolvers<Served>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => {
      const url = `http://127.0.0.1:${port}${base}/`;
      resolve({
        url,
        otherUrl: `${url}other/`,
        requests,
        close: () => server.shutdown(),
      });
    },
  }, async (request) => {
    let pathname = decodeURIComponent(new URL(request.url).pathname);
    if (!pathname.startsWith(`${base}/`)) return new Response("not found", { status: 404 });
    pathname = pathname.slice(base.length);
    requests.push(pathname);
    const other = pathname.startsWith("/other/");
    if (other) pathname = pathname.slice("/other".length);
    const file = path.join(ROOT, path.normalize(pathname));
    if (!file.startsWith(ROOT + path.sep)) return new Response("no", { status: 403 });
    try {
      let text = await Deno.readTextFile(file);
      if (other && pathname === "/src/version.ts") {
        text = text.replace(
          /export const VERSION = "[^"]+"/,
          `export const VERSION = "${OTHER_VERSION}"`,
        );
      }
      return new Response(text, { headers: { "content-type": contentType(file) } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return promise;
}
