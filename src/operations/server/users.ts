/**
 * `server.user`, `server.group` and `server.userAuthorizedKeys`: accounts and their SSH
 * keys, with useradd/usermod (or pw on FreeBSD).
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { type CommandPart, quote, StringCommand } from "../../core/command.ts";
import { Groups, Os } from "../../facts/server/basic.ts";
import { type UserInfo, Users } from "../../facts/server/users.ts";
import { directory } from "../files/directory.ts";
import { file } from "../files/file.ts";
import { putContent } from "../files/put.ts";
import { line } from "../files/line.ts";
import { singleQuoted } from "./util.ts";
import { OperationValueError } from "../../core/errors.ts";
import type { OperationContext } from "../../core/operation.ts";
import { shellQuote } from "../../core/quote.ts";
import { Command } from "../../facts/server/basic.ts";

/**
 * A user's entry as /etc/passwd and `id` give it. server.Users reads entries through
 * dash's `echo` (pyinfra's command), which changes backslashes: `\\t` becomes a tab and
 * `\\c` ends the output, so a user whose comment has one is read again here, exactly,
 * with the name given to awk as data.
 */
async function exactEntry(
  ctx: OperationContext,
  name: string,
  existing: UserInfo,
): Promise<UserInfo> {
  const program =
    'BEGIN {FS=":"; u=ARGV[1]; ARGV[1]=""} $1 == u {print $5 ":" $6 ":" $7 ":."; exit}';
  const command = new StringCommand([
    "awk",
    shellQuote(program),
    quote(name),
    "/etc/passwd && id -gn --",
    quote(name),
    "&& id -Gn --",
    quote(name),
  ]);
  const output = await ctx.host.getFact(Command, { command: command.raw() });
  const lines = (output ?? "").split("\n");
  if (lines.length !== 3 || !lines[0].endsWith(":.")) return existing;
  const [comment, home, shell] = lines[0].slice(0, -2).split(":");
  const group = lines[1];
  return {
    ...existing,
    comment: comment || null,
    home: home || null,
    shell: shell || null,
    group,
    groups: lines[2].split(" ").filter((g) => g && g !== group),
  };
}

/** Whether server.Users may have read a user's entry wrong (see {@linkcode exactEntry}). */
function echoMayHaveChanged(wanted: string | null | undefined, read: UserInfo): boolean {
  return (wanted ?? "").includes("\\") || /[\\\p{Cc}]/u.test(read.comment ?? "");
}

/** Membership test that also accepts the dict shape some recorded facts use. */
function contains(
  groups: readonly string[] | Record<string, unknown> | null,
  name: string,
): boolean {
  if (Array.isArray(groups)) return groups.includes(name);
  return groups !== null && Object.hasOwn(groups, name);
}

/** Options of {@linkcode group}. */
export interface GroupOptions {
  /** The group name. */
  group: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** A system group (`groupadd -r`). @default {false} */
  system?: boolean;
  /** The group id. */
  gid?: number | null;
}

/**
 * Ensures a group exists (or not).
 *
 * @example
 * ```ts ignore
 * server.group({ group: "deploy", system: true });
 * ```
 */
export const group: Operation<GroupOptions> = defineOperation<GroupOptions>("server.group", {
  argNames: ["group", "present", "system", "gid"],
  summary: "Add/remove system groups.",
  async *generator(args, ctx) {
    const groups = await ctx.host.getFact(Groups);
    const os = await ctx.host.getFact(Os);
    const exists = contains(groups, args.group);
    const present = args.present ?? true;
    const freebsd = os === "FreeBSD";
    if (!present && exists) {
      yield new StringCommand([freebsd ? "pw groupdel -n" : "groupdel", quote(args.group)]);
    } else if (present && !exists) {
      const parts: CommandPart[] = [freebsd ? "pw groupadd" : "groupadd"];
      if (args.system && !(os ?? "").includes("BSD")) parts.push("-r");
      parts.push(...(freebsd ? ["-n", quote(args.group)] : [quote(args.group)]));
      if (args.gid) parts.push(freebsd ? "-g" : "--gid", quote(String(args.gid)));
      yield new StringCommand(parts);
    } else {
      ctx.noop(`group ${args.group} ${present ? "exists" : "does not exist"}`);
    }
  },
});

/** Options of {@linkcode userAuthorizedKeys}. */
export interface UserAuthorizedKeysOptions {
  /** The user. */
  user: string;
  /** Public keys: key text, or controller files holding one. */
  publicKeys: string | string[];
  /** The group owning the files. @default {user} */
  group?: string | null;
  /** Replace the file with exactly these keys. @default {false} */
  deleteKeys?: boolean;
  /** Folder of the file. @default {"/home/<user>/.ssh/"} */
  authorizedKeyDirectory?: string | null;
  /** The file name. @default {"authorized_keys"} */
  authorizedKeyFilename?: string | null;
}

function readKey(key: string, ctx: Parameters<typeof file.generate>[1]): string {
  const path = ctx.local.resolve(key);
  return ctx.local.isFile(path) ? ctx.local.readText(path).trim() : key.trim();
}

/**
 * Ensures public keys are in a user's authorized_keys.
 *
 * @example
 * ```ts ignore
 * server.userAuthorizedKeys({ user: "deploy", publicKeys: ["./keys/deploy.pub"] });
 * ```
 */
export const userAuthorizedKeys: Operation<UserAuthorizedKeysOptions> = defineOperation<
  UserAuthorizedKeysOptions
>(
  "server.userAuthorizedKeys",
  {
    argNames: [
      "user",
      "publicKeys",
      "group",
      "deleteKeys",
      "authorizedKeyDirectory",
      "authorizedKeyFilename",
    ],
    summary: "Manage authorized_keys of a user.",
    async *generator(args, ctx) {
      const dir = args.authorizedKeyDirectory || `/home/${args.user}/.ssh/`;
      const name = args.authorizedKeyFilename || "authorized_keys";
      const owner = { user: args.user, group: args.group || args.user };
      const keys = (typeof args.publicKeys === "string" ? [args.publicKeys] : args.publicKeys).map((
        k,
      ) => readKey(k, ctx));
      yield* directory.generate({ path: dir, ...owner, mode: 700 }, ctx);
      const path = `${dir}/${name}`;
      if (args.deleteKeys) {
        yield* putContent(`${keys.join("\n")}\n`, path, { ...owner, mode: 600 }, ctx);
      } else {
        yield* file.generate({ path, ...owner, mode: 600 }, ctx);
        for (const key of keys) yield* line.generate({ path, line: key, ensureNewline: true }, ctx);
      }
    },
  },
);

/** Options of {@linkcode user}. */
export interface UserOptions {
  /** The user name. */
  user: string;
  /** Whether the user should exist. @default {true} */
  present?: boolean;
  /** Home folder. @default {"/home/<user>"} */
  home?: string | null;
  /** Login shell. */
  shell?: string | null;
  /** Primary group. */
  group?: string | null;
  /** Other groups. */
  groups?: string[] | null;
  /** Public keys for authorized_keys: key text or controller files. */
  publicKeys?: string | string[] | null;
  /** Replace authorized_keys with exactly `publicKeys`. @default {false} */
  deleteKeys?: boolean;
  /** Ensure the home folder exists and belongs to the user. @default {true} */
  ensureHome?: boolean;
  /** Let useradd create the home folder (`-m`). @default {false} */
  createHome?: boolean;
  /** A system user (`useradd -r`). @default {false} */
  system?: boolean;
  /** The user id. */
  uid?: number | null;
  /** The GECOS comment (full name). */
  comment?: string | null;
  /** Kept for pyinfra compatibility. @default {true} */
  addDeployDir?: boolean;
  /** Refuse a duplicate uid. @default {true} */
  unique?: boolean;
  /** The password, already hashed (crypt). */
  password?: string | null;
}

/**
 * Ensures a user exists (or not) with its home, shell, groups and keys.
 *
 * @example
 * ```ts ignore
 * server.user({ user: "app", home: "/srv/app", shell: "/bin/bash", groups: ["www-data"], system: true });
 * ```
 */
export const user: Operation<UserOptions> = defineOperation<UserOptions>("server.user", {
  argNames: [
    "user",
    "present",
    "home",
    "shell",
    "group",
    "groups",
    "publicKeys",
    "deleteKeys",
    "ensureHome",
    "createHome",
    "system",
    "uid",
    "comment",
    "addDeployDir",
    "unique",
    "password",
  ],
  summary: "Add/remove/update system users & their ssh authorized_keys.",
  async *generator(args, ctx) {
    // /etc/passwd holds one line per user, its fields split by `:`; shadow's useradd and
    // usermod refuse control characters in a field (and fail after changing nothing).
    for (const key of ["comment", "home", "shell"] as const) {
      const value = args[key];
      // deno-lint-ignore no-control-regex
      if (typeof value === "string" && /[\x00-\x1f\x7f:]/.test(value)) {
        throw new OperationValueError(
          `Invalid argument \`${key}\` of server.user: /etc/passwd cannot hold a colon or a ` +
            `control character (newline, tab, ...) in it: ${JSON.stringify(value)}`,
        );
      }
    }
    const users = await ctx.host.getFact(Users);
    const existingGroups = await ctx.host.getFact(Groups);
    const os = await ctx.host.getFact(Os);
    const freebsd = os === "FreeBSD";
    const name = args.user;
    let existing = users && Object.hasOwn(users, name) ? users[name] : undefined;
    if (existing && echoMayHaveChanged(args.comment, existing)) {
      existing = await exactEntry(ctx, name, existing);
    }
    const groups = args.groups ?? [];
    let group = args.group;
    const home = args.home ?? existing?.home ?? `/home/${name}`;
    if (!(args.present ?? true)) {
      if (existing) yield new StringCommand([freebsd ? "pw userdel -n" : "userdel", quote(name)]);
      else ctx.noop(`user ${name} does not exist`);
      return;
    }
    const parts: CommandPart[] = [];
    if (!existing) {
      if (!group && contains(existingGroups, name)) group = name;
      if (home) parts.push("-d", quote(home));
      if (args.shell) parts.push("-s", quote(args.shell));
      if (group) parts.push("-g", quote(group));
      if (groups.length) parts.push("-G", quote(groups.join(",")));
      if (args.system && !(os ?? "").includes("BSD")) parts.push("-r");
      if (args.uid) parts.push(freebsd ? "-u" : "--uid", quote(String(args.uid)));
      if (args.comment) parts.push("-c", singleQuoted(args.comment));
      if (args.unique === false) parts.push("-o");
      parts.push(args.createHome ? "-m" : "-M");
      if (args.password) parts.push("-p", singleQuoted(args.password));
      yield freebsd
        ? new StringCommand(["pw useradd -n", quote(name), ...parts])
        : new StringCommand(["useradd", ...parts, quote(name)]);
    } else {
      if (home && existing.home !== home) parts.push("-d", quote(home));
      if (args.shell && existing.shell !== args.shell) parts.push("-s", quote(args.shell));
      if (group && existing.group !== group) parts.push("-g", quote(group));
      const sameGroups = new Set(existing.groups).size === new Set(groups).size &&
        groups.every((g) => existing.groups.includes(g));
      if (groups.length && !sameGroups) parts.push("-G", quote(groups.join(",")));
      if (args.comment && existing.comment !== args.comment) {
        parts.push("-c", singleQuoted(args.comment));
      }
      if (args.password && existing.password !== args.password) {
        parts.push("-p", singleQuoted(args.password));
      }
      if (parts.length) {
        yield freebsd
          ? new StringCommand(["pw usermod -n", quote(name), ...parts])
          : new StringCommand(["usermod", ...parts, quote(name)]);
      }
    }
    if (args.ensureHome ?? true) {
      yield* directory.generate({
        path: home,
        user: name,
        group: group || name,
        _noFailOnLink: true,
      }, ctx);
    }
    if (args.publicKeys != null) {
      yield* userAuthorizedKeys.generate({
        user: name,
        publicKeys: args.publicKeys,
        group,
        deleteKeys: args.deleteKeys ?? false,
        authorizedKeyDirectory: `${home}/.ssh`,
      }, ctx);
    }
  },
});
