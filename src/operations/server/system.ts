/**
 * `server.modprobe`, `server.mount`, `server.hostname`, `server.sysctl`,
 * `server.securityLimit` and `server.locale`: kernel, filesystem and system settings.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { type CommandPart, quote, sh, StringCommand } from "../../core/command.ts";
import { OperationError, OperationTypeError } from "../../core/errors.ts";
import { Hostname, Locales, Os, Which } from "../../facts/server/basic.ts";
import { KernelModules, Mounts, Sysctl } from "../../facts/server/system.ts";
import { FindInFile } from "../../facts/files.ts";
import { putContent } from "../files/put.ts";
import { line } from "../files/line.ts";
import { replace } from "../files/replace.ts";
import { escapeBasicRegex, singleQuoted, tryInt } from "./util.ts";

/** Options of {@linkcode modprobe}. */
export interface ModprobeOptions {
  /** The kernel module, or a list of them. */
  module: string | string[];
  /** Whether the modules should be loaded (`false` unloads them). @default {true} */
  present?: boolean;
  /** Pass `-f` to modprobe (ignore version magic). @default {false} */
  force?: boolean;
}

/**
 * Loads or unloads kernel modules with `modprobe -a` / `modprobe -r -a`.
 *
 * @example
 * ```ts ignore
 * server.modprobe({ module: ["br_netfilter", "overlay"] });
 * ```
 */
export const modprobe: Operation<ModprobeOptions> = defineOperation<ModprobeOptions>(
  "server.modprobe",
  {
    argNames: ["module", "present", "force"],
    summary: "Load/unload kernel modules.",
    async *generator(args, ctx) {
      const wanted = typeof args.module === "string" ? [args.module] : [...args.module];
      const present = args.present ?? true;
      const loaded = await ctx.host.getFact(KernelModules);
      const isLoaded = (name: string) => loaded !== null && Object.hasOwn(loaded, name);
      const loadedMods = wanted.filter(isLoaded);
      const missingMods = wanted.filter((name) => !isLoaded(name));
      const base = args.force ? "modprobe -f" : "modprobe";
      if (!present && loadedMods.length) {
        yield new StringCommand([base, "-r -a", ...loadedMods.map((m) => quote(m))]);
      } else if (present && missingMods.length) {
        yield new StringCommand([base, "-a", ...missingMods.map((m) => quote(m))]);
      } else {
        const many = wanted.length > 1;
        ctx.noop(
          `${many ? "modules" : "module"} ${wanted.join("/")} ${many ? "are" : "is"} ${
            present ? "loaded" : "not loaded"
          }`,
        );
      }
    },
  },
);

/** Options of {@linkcode mount}. */
export interface MountOptions {
  /** The mount point. */
  path: string;
  /** Whether a filesystem should be mounted there (`false` unmounts it). @default {true} */
  mounted?: boolean;
  /**
   * Mount options (`["rw", "noatime"]`). When the filesystem is mounted without one of
   * them, it is remounted with all of them. @default {[]}
   */
  options?: string[] | null;
  /** The device to mount (otherwise mount looks the path up in fstab). */
  device?: string | null;
  /** The filesystem type (`mount -t`). */
  fsType?: string | null;
}

/**
 * Mounts, unmounts or remounts a filesystem. Does not edit `/etc/fstab` (use
 * `files.line` for that).
 *
 * @example
 * ```ts ignore
 * server.mount({ path: "/data", device: "/dev/sdb1", fsType: "xfs", options: ["noatime"] });
 * ```
 */
export const mount: Operation<MountOptions> = defineOperation<MountOptions>("server.mount", {
  argNames: ["path", "mounted", "options", "device", "fsType"],
  summary: "Manage mounted filesystems.",
  async *generator(args, ctx) {
    const { path, device, fsType } = args;
    const mounted = args.mounted ?? true;
    const options = args.options ?? [];
    const optionsString = options.join(",");
    const mounts = await ctx.host.getFact(Mounts);
    const current = mounts !== null && Object.hasOwn(mounts, path) ? mounts[path] : undefined;
    if (mounted && !current) {
      const parts: CommandPart[] = ["mount"];
      if (fsType) parts.push("-t", quote(fsType));
      if (optionsString) parts.push("-o", quote(optionsString));
      if (device) parts.push(quote(device));
      parts.push(quote(path));
      yield new StringCommand(parts);
    } else if (!mounted && current) {
      yield new StringCommand(["umount", quote(path)]);
    } else if (current && mounted && options.length) {
      const have = new Set(current.options ?? []);
      if (options.some((option) => !have.has(option))) {
        yield new StringCommand(["mount -o", quote(`remount,${optionsString}`), quote(path)]);
      }
    } else {
      ctx.noop(`filesystem ${path} is ${mounted ? "mounted" : "not mounted"}`);
    }
  },
});

/** Options of {@linkcode hostname}. */
export interface HostnameOptions {
  /** The hostname to set. */
  hostname: string;
  /**
   * The file that keeps the hostname across reboots, written when the host has no
   * `hostnamectl`; `false` writes none. @default {"/etc/hostname" on Linux, "/etc/myname" on OpenBSD}
   */
  hostnameFile?: string | false | null;
}

/**
 * Sets the hostname with `hostnamectl`, or with `hostname` and the hostname file on
 * systems without systemd.
 *
 * @example
 * ```ts ignore
 * server.hostname({ hostname: "web1.example.com" });
 * ```
 */
export const hostname: Operation<HostnameOptions> = defineOperation<HostnameOptions>(
  "server.hostname",
  {
    argNames: ["hostname", "hostnameFile"],
    summary: "Set the system hostname using hostnamectl or hostname on older systems.",
    async *generator(args, ctx) {
      const wanted = args.hostname;
      const current = await ctx.host.getFact(Hostname);
      if (await ctx.host.getFact(Which, { command: "hostnamectl" })) {
        if (current !== wanted) {
          yield new StringCommand(["hostnamectl set-hostname", quote(wanted)]);
        } else ctx.noop("hostname is set");
        return;
      }
      let file = args.hostnameFile;
      if (file === undefined || file === null) {
        const os = await ctx.host.getFact(Os);
        if (os === "Linux") file = "/etc/hostname";
        else if (os === "OpenBSD") file = "/etc/myname";
      }
      if (current !== wanted) yield new StringCommand(["hostname", quote(wanted)]);
      else ctx.noop("hostname is set");
      if (file) yield* putContent(`${wanted}\n`, file, {}, ctx);
    },
  },
);

/** A sysctl value: one value or a list (written space-separated). */
export type SysctlSetting = string | number | (string | number)[];

/** Options of {@linkcode sysctl}. */
export interface SysctlOptions {
  /** The sysctl key (`net.ipv4.ip_forward`). */
  key: string;
  /** The value, or a list of values for multi-value keys. */
  value: SysctlSetting;
  /** Also write `key = value` to `persistFile` so it survives a reboot. @default {false} */
  persist?: boolean;
  /** The file `persist` writes to. @default {"/etc/sysctl.conf"} */
  persistFile?: string;
}

function sameSysctl(existing: unknown, wanted: unknown): boolean {
  if (Array.isArray(existing) || Array.isArray(wanted)) {
    return Array.isArray(existing) && Array.isArray(wanted) &&
      existing.length === wanted.length &&
      existing.every((value, index) => tryInt(value) === tryInt(wanted[index]));
  }
  return tryInt(existing) === tryInt(wanted);
}

/**
 * Sets a kernel parameter with `sysctl`, and optionally persists it.
 *
 * @example
 * ```ts ignore
 * server.sysctl({ key: "net.ipv4.ip_forward", value: 1, persist: true });
 * ```
 */
export const sysctl: Operation<SysctlOptions> = defineOperation<SysctlOptions>("server.sysctl", {
  argNames: ["key", "value", "persist", "persistFile"],
  summary: "Edit sysctl configuration.",
  validate({ key }) {
    if (typeof key !== "string" || !key) {
      throw new OperationTypeError("server.sysctl: `key` must be a non-empty string");
    }
  },
  async *generator(args, ctx) {
    const { key, value } = args;
    const text = Array.isArray(value) ? value.map(String).join(" ") : String(value);
    const existing = (await ctx.host.getFact(Sysctl, { keys: [key] }))?.[key];
    // Unlike pyinfra, a current value of 0 counts as set, so `value: 0` is idempotent.
    if (existing === undefined || existing === null || !sameSysctl(existing, value)) {
      const setting = new StringCommand([quote(key), "=", singleQuoted(text)], { separator: "" });
      yield new StringCommand(["sysctl", setting]);
    } else {
      ctx.noop(`sysctl ${key} is set to ${text}`);
    }
    if (args.persist) {
      yield* line.generate({
        path: args.persistFile ?? "/etc/sysctl.conf",
        line: `${key}[[:space:]]*=[[:space:]]*${text}`,
        replace: `${key} = ${text}`,
      }, ctx);
    }
  },
});

/** Options of {@linkcode securityLimit}. */
export interface SecurityLimitOptions {
  /** Who the limit applies to: a user, `@group`, or `*`. */
  domain: string;
  /** `soft`, `hard` or `-` (both). */
  limitType: string;
  /** The resource (`nofile`, `nproc`, `memlock`, ...). */
  item: string;
  /** The limit (`1024`, `unlimited`). */
  value: string | number;
}

/**
 * Sets one line of `/etc/security/limits.conf` (replacing the domain/type/item's
 * current value).
 *
 * @example
 * ```ts ignore
 * server.securityLimit({ domain: "*", limitType: "soft", item: "nofile", value: 65536 });
 * ```
 */
export const securityLimit: Operation<SecurityLimitOptions> = defineOperation<SecurityLimitOptions>(
  "server.securityLimit",
  {
    argNames: ["domain", "limitType", "item", "value"],
    summary: "Edit /etc/security/limits.conf configuration.",
    async *generator(args, ctx) {
      const { domain, limitType, item, value } = args;
      // pyinfra matches with `[[:space:]]+`, which grep's basic syntax reads as a space and
      // a literal `+`, so an existing entry was never found; this pattern finds it.
      const space = "[[:space:]][[:space:]]*";
      yield* line.generate({
        path: "/etc/security/limits.conf",
        line: `^${escapeBasicRegex(domain)}${space}${escapeBasicRegex(limitType)}${space}${
          escapeBasicRegex(item)
        }${space}`,
        replace: `${domain}\t${limitType}\t${item}\t${value}`,
      }, ctx);
    },
  },
);

/** Options of {@linkcode locale}. */
export interface LocaleOptions {
  /** The locale as `/etc/locale.gen` names it (`en_GB.UTF-8`). */
  locale: string;
  /** Whether it should be generated (`false` comments it out). @default {true} */
  present?: boolean;
}

/**
 * Enables or disables a locale in `/etc/locale.gen` and runs `locale-gen`.
 *
 * @example
 * ```ts ignore
 * server.locale({ locale: "en_GB.UTF-8" });
 * ```
 */
export const locale: Operation<LocaleOptions> = defineOperation<LocaleOptions>("server.locale", {
  argNames: ["locale", "present"],
  summary: "Enable/Disable locale.",
  async *generator(args, ctx) {
    const name = args.locale;
    const present = args.present ?? true;
    const locales = await ctx.host.getFact(Locales);
    const file = "/etc/locale.gen";
    const matches = await ctx.host.getFact(FindInFile, {
      path: file,
      pattern: `^.*${name}[[:space:]]\\+.*$`,
    });
    if (!matches?.length) throw new OperationError(`Locale ${name} not found in ${file}`);
    if (matches.length > 1) {
      throw new OperationError(`Multiple locales matches for ${name} in ${file}`);
    }
    const match = matches[0];
    const enabled = (locales ?? []).includes(name);
    if (!present && enabled) {
      yield* line.generate({ path: file, line: `^${match}$`, replace: `# ${match}` }, ctx);
      yield sh`locale-gen`;
    } else if (present && !enabled) {
      yield* replace.generate({
        path: file,
        text: `^${match}$`,
        replace: match.replaceAll("# ", ""),
      }, ctx);
      yield sh`locale-gen`;
    } else {
      ctx.noop(`locale ${name} is ${present ? "enabled" : "disabled"}`);
    }
  },
});
