/**
 * SELinux operations: `selinux.boolean`, `selinux.fileContext`,
 * `selinux.fileContextMapping` and `selinux.port`, with pyinfra's arguments and
 * commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { quote, StringCommand } from "../core/command.ts";
import { ValueError } from "../core/errors.ts";
import { Which } from "../facts/server.ts";
import { FileContext, FileContextMapping, SEBoolean, SEPort, SEPorts } from "../facts/selinux.ts";

/** Options of {@linkcode boolean}. */
export interface BooleanOptions {
  /** The boolean's name. */
  boolName: string;
  /** `on` or `off`. */
  value: "on" | "off";
  /** Keep the value across reboots (`setsebool -P`). @default {false} */
  persistent?: boolean;
}

/**
 * Sets an SELinux boolean.
 *
 * @example
 * ```ts ignore
 * selinux.boolean({ boolName: "httpd_can_network_connect", value: "on", persistent: true });
 * ```
 */
export const boolean: Operation<BooleanOptions> = defineOperation<BooleanOptions>(
  "selinux.boolean",
  {
    argNames: ["boolName", "value", "persistent"],
    summary: "Set the specified SELinux boolean to the desired state.",
    async *generator({ boolName, value, persistent = false }, ctx) {
      if (value !== "on" && value !== "off") {
        throw new ValueError(`'value' must be one of 'on,off' but found '${value}'`);
      }
      if ((await ctx.host.getFact(SEBoolean, { boolean: boolName })) !== value) {
        yield new StringCommand(["setsebool", `${persistent ? "-P " : ""}${boolName}`, value]);
      } else ctx.noop(`boolean '${boolName}' already had the value '${value}'`);
    },
  },
);

/** Options of {@linkcode fileContext}. */
export interface FileContextOptions {
  /** The file or folder. */
  path: string;
  /** The SELinux type it should have. */
  seType: string;
}

/**
 * Sets a file's SELinux type now (`chcon`; see `fileContextMapping` to make it stick).
 *
 * @example
 * ```ts ignore
 * selinux.fileContext({ path: "/srv/www", seType: "httpd_sys_content_t" });
 * ```
 */
export const fileContext: Operation<FileContextOptions> = defineOperation<FileContextOptions>(
  "selinux.fileContext",
  {
    argNames: ["path", "seType"],
    summary: "Set the SELinux type for the specified path to the specified value.",
    async *generator({ path, seType }, ctx) {
      const current = (await ctx.host.getFact(FileContext, { path })) ?? { type: "" };
      if (seType !== (current.type ?? "")) {
        yield new StringCommand(["chcon", "-t", seType, quote(path)]);
      } else ctx.noop(`file_context: '${path}' already had type '${seType}'`);
    },
  },
);

/** Options of {@linkcode fileContextMapping}. */
export interface FileContextMappingOptions {
  /** The path expression (`/srv/www(/.*)?`). */
  target: string;
  /** The type it maps to (needed when present). @default {null} */
  seType?: string | null;
  /** Whether the mapping should exist. @default {true} */
  present?: boolean;
}

/**
 * Adds, changes or removes an SELinux file context mapping (`semanage fcontext`).
 *
 * @example
 * ```ts ignore
 * selinux.fileContextMapping({ target: "/srv/www(/.*)?", seType: "httpd_sys_content_t" });
 * ```
 */
export const fileContextMapping: Operation<FileContextMappingOptions> = defineOperation<
  FileContextMappingOptions
>("selinux.fileContextMapping", {
  argNames: ["target", "seType", "present"],
  summary: "Set the SELinux file context mapping for paths matching the target.",
  async *generator({ target, seType, present = true }, ctx) {
    if (present && (seType === null || seType === undefined)) {
      throw new ValueError("se_type must have a valid value if present is set");
    }
    const current = await ctx.host.getFact(FileContextMapping, { target });
    const exists = Object.keys(current ?? {}).length > 0;
    if (present) {
      const option = !exists ? "-a" : current.type !== seType ? "-m" : "";
      if (option) {
        yield new StringCommand(["semanage", "fcontext", option, "-t", seType!, quote(target)]);
      } else ctx.noop(`mapping for '${target}' -> '${seType}' already present`);
    } else if (exists) {
      yield new StringCommand(["semanage", "fcontext", "-d", quote(target)]);
    } else ctx.noop(`no existing mapping for '${target}'`);
  },
});

/** Options of {@linkcode port}. */
export interface PortOptions {
  /** `tcp`, `udp`, `sctp` or `dccp`. */
  protocol: string;
  /** The port number. */
  portNum: number;
  /** The type it should have (needed when present). @default {null} */
  seType?: string | null;
  /** Whether the assignment should exist. @default {true} */
  present?: boolean;
}

/**
 * Assigns (or removes) an SELinux type to a port (`semanage port`).
 *
 * @example
 * ```ts ignore
 * selinux.port({ protocol: "tcp", portNum: 8022, seType: "ssh_port_t" });
 * ```
 */
export const port: Operation<PortOptions> = defineOperation<PortOptions>("selinux.port", {
  argNames: ["protocol", "portNum", "seType", "present"],
  summary: "Set the SELinux type for the specified protocol and port.",
  async *generator({ protocol, portNum, seType, present = true }, ctx) {
    if (present && (seType === null || seType === undefined)) {
      throw new ValueError("se_type must have a valid value if present is set");
    }
    // sepolicy answers for one port; without it, semanage lists them all.
    const direct = ((await ctx.host.getFact(Which, { command: "sepolicy" })) ?? "").length > 0;
    const current = direct
      ? await ctx.host.getFact(SEPort, { protocol, port: portNum })
      : (await ctx.host.getFact(SEPorts))[protocol]?.[String(portNum)] ?? "";
    if (present) {
      const option = current === "" ? "-a" : current !== seType ? "-m" : "";
      if (option) {
        yield new StringCommand([
          "semanage",
          "port",
          option,
          "-t",
          seType!,
          "-p",
          protocol,
          String(portNum),
        ]);
      } else ctx.noop(`setype for '${protocol}/${portNum}' is already '${seType}'`);
    } else if (current !== "") {
      yield new StringCommand(["semanage", "port", "-d", "-p", protocol, String(portNum)]);
    } else ctx.noop(`setype for '${protocol}/${portNum}' is already unset`);
  },
});
