/**
 * MySQL / MariaDB facts: databases (`mysql.MysqlDatabases`), users
 * (`mysql.MysqlUsers`) and a user's grants (`mysql.MysqlUserGrants`), read with the
 * mysql client.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { mask, quote, StringCommand } from "../core/command.ts";
import { parseColumnsAndRows, tryInt } from "./util/databases.ts";

/** How the mysql client connects: pyinfra's `mysql_*` arguments. */
export interface MysqlConnection {
  database?: string | null;
  user?: string | null;
  password?: string | null;
  host?: string | null;
  port?: number | string | null;
}

/**
 * `mysql` (or `mysqldump`) with its connection flags; the password is masked.
 *
 * @example
 * ```ts
 * import { mysqlCommand } from "./mysql.ts";
 * mysqlCommand({ database: "app", user: "root" }).raw(); // 'mysql app -u"root"'
 * ```
 */
export function mysqlCommand(connection: MysqlConnection = {}, executable = "mysql") {
  const parts: (string | ReturnType<typeof mask>)[] = [executable];
  if (connection.database) parts.push(connection.database);
  if (connection.user) parts.push(`-u"${connection.user}"`);
  if (connection.password) parts.push(mask(`-p"${connection.password}"`));
  if (connection.host) parts.push(`-h${connection.host}`);
  if (connection.port) parts.push(`-P${connection.port}`);
  return new StringCommand(parts);
}

/** `mysql ... -Be 'SQL'`, optionally `|| true`. */
export function mysqlExecute(
  sql: string | StringCommand,
  connection: MysqlConnection = {},
  ignoreErrors = false,
): StringCommand {
  return new StringCommand([
    mysqlCommand(connection),
    "-Be",
    quote(sql),
    ...(ignoreErrors ? ["||", "true"] : []),
  ]);
}

/** The facts' connection arguments, as pyinfra names them. */
export interface MysqlFactArgs extends Record<string, unknown> {
  mysql_user?: string | null;
  mysql_password?: string | null;
  mysql_host?: string | null;
  mysql_port?: number | string | null;
}

const ARG_NAMES = ["mysql_user", "mysql_password", "mysql_host", "mysql_port"] as const;

function connectionOf(args: MysqlFactArgs): MysqlConnection {
  return {
    user: args.mysql_user,
    password: args.mysql_password,
    host: args.mysql_host,
    port: args.mysql_port,
  };
}

/** A database's character set and collation. */
export interface MysqlDatabase {
  character_set: string | null;
  collation_name: string | null;
}

/**
 * Databases by name, with their default character set and collation.
 *
 * @example
 * ```ts ignore
 * const databases = await host.getFact(MysqlDatabases, {});
 * ```
 */
export const MysqlDatabases: Fact<Record<string, MysqlDatabase>, MysqlFactArgs> = defineFact<
  Record<string, MysqlDatabase>,
  MysqlFactArgs
>({
  name: "mysql.MysqlDatabases",
  summary: "Returns a dict of existing MySQL databases and associated data.",
  argNames: [...ARG_NAMES],
  requiresCommand: "mysql",
  command: (args) => mysqlExecute("SELECT * FROM information_schema.SCHEMATA", connectionOf(args)),
  process: (lines) => {
    const databases: Record<string, MysqlDatabase> = {};
    for (const row of parseColumnsAndRows(lines, "\t", undefined, (t) => t.toLowerCase())) {
      databases[String(row.schema_name)] = {
        character_set: row.default_character_set_name ?? null,
        collation_name: row.default_collation_name ?? null,
      };
    }
    return databases;
  },
  default: () => ({}),
});

/** A user's row of mysql.user, privileges collected in `privileges`. */
export type MysqlUser = Record<string, string | number | boolean | null | string[]>;

/**
 * Users by `user@host`, with their privileges and limits.
 *
 * @example
 * ```ts ignore
 * const users = await host.getFact(MysqlUsers, {});
 * users["app@localhost"]?.privileges;
 * ```
 */
export const MysqlUsers: Fact<Record<string, MysqlUser>, MysqlFactArgs> = defineFact<
  Record<string, MysqlUser>,
  MysqlFactArgs
>({
  name: "mysql.MysqlUsers",
  summary: "Returns a dict of MySQL user@host's and their associated data.",
  argNames: [...ARG_NAMES],
  requiresCommand: "mysql",
  command: (args) => mysqlExecute("SELECT * FROM mysql.user", connectionOf(args)),
  process: (lines) => {
    const users: Record<string, MysqlUser> = {};
    for (const row of parseColumnsAndRows(lines, "\t")) {
      if (
        row.Host === null || row.Host === undefined || row.User === null || row.User === undefined
      ) {
        continue;
      }
      const details: MysqlUser = {};
      const privileges: string[] = [];
      for (const [key, value] of Object.entries(row)) {
        if (key.endsWith("_priv")) {
          if (value === "Y") privileges.push(key.replace("_priv", ""));
          continue;
        }
        details[key] = value;
        if (key.startsWith("max_")) details[key] = tryInt(value);
        if (key === "password_expired" || key === "is_role") details[key] = value === "Y";
      }
      details.privileges = privileges.sort();
      const name = `${details.User}@${details.Host}`;
      delete details.User;
      delete details.Host;
      users[name] = details;
    }
    return users;
  },
  default: () => ({}),
});

const GRANT =
  /^GRANT ([A-Z,\s]+) ON ((?:\*|`[a-z_\\]+`)\.(?:\*|`[a-z_]+`)) TO `[A-Z0-9a-z_-]+`@`(?:%|[A-Z0-9a-z_.-]+)`(.*)/;

/** Arguments of {@linkcode MysqlUserGrants}. */
export interface MysqlUserGrantsArgs extends MysqlFactArgs {
  user: string;
  hostname?: string;
}

/**
 * A user's privileges by `database.table` (`*.*`, `` `app`.* ``).
 *
 * @example
 * ```ts ignore
 * const grants = await host.getFact(MysqlUserGrants, { user: "app", hostname: "localhost" });
 * ```
 */
export const MysqlUserGrants: Fact<Record<string, string[]>, MysqlUserGrantsArgs> = defineFact<
  Record<string, string[]>,
  MysqlUserGrantsArgs
>({
  name: "mysql.MysqlUserGrants",
  summary: "Returns a dict of database.table -> privileges for a given MySQL user.",
  argNames: ["user", "hostname", ...ARG_NAMES],
  argDefaults: { hostname: "localhost" },
  requiresCommand: "mysql",
  command: (args) =>
    mysqlExecute(
      `SHOW GRANTS FOR "${args.user}"@"${args.hostname ?? "localhost"}"`,
      connectionOf(args),
      true,
    ),
  process: (lines) => {
    const grants: Record<string, string[]> = {};
    for (const line of lines) {
      const match = GRANT.exec(line);
      if (!match) continue;
      const [, privileges, target, extras] = match;
      const key = target.replaceAll("\\\\", "\\");
      const set = new Set(grants[key] ?? []);
      for (const privilege of privileges.split(",")) set.add(privilege.trim());
      if (extras.includes("WITH GRANT OPTION")) set.add("GRANT OPTION");
      grants[key] = [...set];
    }
    return grants;
  },
  default: () => ({}),
});
