/**
 * Facts about the host itself: `server.Os`, `server.Hostname`, `server.Users`, ...
 * Names, arguments and parsing follow pyinfra's `pyinfra.facts.server`.
 *
 * @module
 */
import { defineFact } from "../core/fact.ts";

/**
 * The operating system kernel name, as `uname -s` prints it (`"Linux"`, `"FreeBSD"`).
 *
 * @example
 * ```ts ignore
 * import { Os } from "tsinfra/facts/server";
 * if ((await host.getFact(Os)) === "Linux") { ... }
 * ```
 */
export const Os = defineFact<string | null>({
  name: "server.Os",
  summary: "Returns the OS name according to uname.",
  command: "uname -s",
  process: (lines) => lines.join("\n").trim(),
});
