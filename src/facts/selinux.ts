/**
 * SELinux facts: a boolean (`selinux.SEBoolean`), a file's context
 * (`selinux.FileContext`), a path's context mapping (`selinux.FileContextMapping`) and
 * port types (`selinux.SEPorts`, `selinux.SEPort`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh, StringCommand } from "../core/command.ts";

/** An SELinux context. */
export interface SeContext {
  user: string;
  role: string;
  type: string;
  level: string;
}

/**
 * A boolean's value, `on` or `off`.
 *
 * @example
 * ```ts ignore
 * const value = await host.getFact(SEBoolean, { boolean: "httpd_can_network_connect" });
 * ```
 */
export const SEBoolean: Fact<string, { boolean: string }> = defineFact<string, { boolean: string }>(
  {
    name: "selinux.SEBoolean",
    summary: "Returns the status of a SELinux Boolean as a string (on or off).",
    argNames: ["boolean"],
    requiresCommand: "getsebool",
    command: ({ boolean }) => sh`getsebool ${boolean}`,
    process: (lines) => lines[0]?.split(" --> ")[1] ?? "",
    default: () => "",
  },
);

/**
 * A file's SELinux context.
 *
 * @example
 * ```ts ignore
 * const context = await host.getFact(FileContext, { path: "/srv/www" });
 * ```
 */
export const FileContext: Fact<SeContext | null, { path: string }> = defineFact<
  SeContext | null,
  { path: string }
>({
  name: "selinux.FileContext",
  summary: "Returns the SELinux context of a file.",
  argNames: ["path"],
  command: ({ path }) => sh`stat -c %C ${path} || exit 0`,
  process: (lines) => {
    const [user, role, type, level] = (lines[0] ?? "").split(":");
    return { user, role, type, level };
  },
  default: () => null,
});

/**
 * The context mapping (`semanage fcontext`) of a path expression, or `{}`.
 *
 * @example
 * ```ts ignore
 * const mapping = await host.getFact(FileContextMapping, { target: "/srv/www(/.*)?" });
 * ```
 */
export const FileContextMapping: Fact<Partial<SeContext>, { target: string }> = defineFact<
  Partial<SeContext>,
  { target: string }
>({
  name: "selinux.FileContextMapping",
  summary: "Returns the SELinux file context mapping of a target path.",
  argNames: ["target"],
  requiresCommand: "semanage",
  command: ({ target }) =>
    new StringCommand([
      `set -o pipefail && semanage fcontext -n -l | (grep '^${target}' || true)`,
    ]),
  process: (lines) => {
    if (lines.length !== 1) return {};
    const match = /^.*\s+(\w+):(\w+):(\w+):(\w+)/.exec(lines[0]);
    return match ? { user: match[1], role: match[2], type: match[3], level: match[4] } : {};
  },
  default: () => ({}),
});

/**
 * Port types by protocol and port: `{ tcp: { "22": "ssh_port_t" } }`.
 *
 * @example
 * ```ts ignore
 * const ports = await host.getFact(SEPorts);
 * ```
 */
export const SEPorts: Fact<Record<string, Record<string, string>>> = defineFact<
  Record<string, Record<string, string>>
>({
  name: "selinux.SEPorts",
  summary: "Returns the SELinux 'type' definitions for ports.",
  requiresCommand: "semanage",
  command: "semanage port -ln",
  process: (lines) => {
    const labels: Record<string, Record<string, string>> = {};
    for (const line of lines) {
      const match = /^([\w_]+)\s+(\w+)\s+([\w\-,\s]+)$/.exec(line);
      if (!match || match[1] === "unreserved_port_t") continue;
      const protocol = labels[match[2]] ??= {};
      for (const item of match[3].split(",").map((i) => i.trim())) {
        const [start, stop] = item.includes("-")
          ? item.split("-").map(Number)
          : [Number(item), Number(item)];
        for (let port = start; port <= stop; port++) protocol[String(port)] = match[1];
      }
    }
    return labels;
  },
  default: () => ({}),
});

/**
 * The type of one port (`sepolicy network`), or `""`.
 *
 * @example
 * ```ts ignore
 * const type = await host.getFact(SEPort, { protocol: "tcp", port: 22 });
 * ```
 */
export const SEPort: Fact<string, { protocol: string; port: number }> = defineFact<
  string,
  { protocol: string; port: number }
>({
  name: "selinux.SEPort",
  summary: "Returns the SELinux 'type' for the specified protocol/port.",
  argNames: ["protocol", "port"],
  requiresCommand: "sepolicy",
  command: ({ protocol, port }) =>
    sh`(sepolicy network -p ${String(port)} 2>/dev/null || true) | grep ${protocol}`,
  process: (lines) => (lines.length > 1 ? lines[0].split(" ")[2] ?? "" : ""),
  default: () => "",
});
