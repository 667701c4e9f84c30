/**
 * PostgreSQL facts: roles (`postgres.PostgresRoles`) and databases
 * (`postgres.PostgresDatabases`), read with psql; pyinfra's deprecated
 * `postgresql.PostgresqlRoles` / `PostgresqlDatabases` names are the same facts.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { mask, quote, StringCommand } from "../core/command.ts";
import { type DatabaseRow, parseColumnsAndRows, tryInt } from "./util/databases.ts";

/** How psql connects: pyinfra's `psql_*` arguments. */
export interface PsqlConnection {
  database?: string | null;
  user?: string | null;
  password?: string | null;
  host?: string | null;
  port?: number | string | null;
}

/**
 * `psql` (or `pg_dump`) with its connection flags; a password goes in `PGPASSWORD`,
 * masked in output.
 *
 * @example
 * ```ts
 * import { psqlCommand } from "./postgres.ts";
 * psqlCommand({ database: "app", user: "postgres" }).raw(); // "psql -d app -U postgres"
 * ```
 */
export function psqlCommand(
  connection: PsqlConnection = {},
  executable = "psql",
): StringCommand {
  const parts: (string | ReturnType<typeof mask>)[] = [];
  if (connection.password) parts.push(mask(`PGPASSWORD="${connection.password}"`));
  parts.push(executable);
  if (connection.database) parts.push(`-d ${connection.database}`);
  if (connection.user) parts.push(`-U ${connection.user}`);
  if (connection.host) parts.push(`-h ${connection.host}`);
  if (connection.port) parts.push(`-p ${connection.port}`);
  return new StringCommand(parts);
}

/** `psql ... -Ac 'SQL'`: the SQL quoted as one argument (masked parts stay masked). */
export function psqlExecute(sql: string | StringCommand, connection: PsqlConnection = {}) {
  return new StringCommand([psqlCommand(connection), "-Ac", quote(sql)]);
}

/** The facts' arguments, as pyinfra names them. */
export interface PostgresFactArgs extends Record<string, unknown> {
  psql_user?: string | null;
  psql_password?: string | null;
  psql_host?: string | null;
  psql_port?: number | string | null;
}

const ARG_NAMES = ["psql_user", "psql_password", "psql_host", "psql_port"] as const;

function connectionOf(args: PostgresFactArgs): PsqlConnection {
  return {
    user: args.psql_user,
    password: args.psql_password,
    host: args.psql_host,
    port: args.psql_port,
  };
}

/** A role's attributes (`rolname` -> name, `rol` prefix removed). */
export type PostgresRole = Record<string, string | number | boolean | null>;

const ROLE_FLAGS = [
  "super",
  "inherit",
  "createrole",
  "createdb",
  "canlogin",
  "replication",
  "bypassrls",
];

function rolesFact(name: string) {
  return defineFact<Record<string, PostgresRole>, PostgresFactArgs>({
    name,
    summary: "Returns a dict of PostgreSQL roles and data.",
    argNames: [...ARG_NAMES],
    requiresCommand: "psql",
    command: (args) => psqlExecute("SELECT * FROM pg_catalog.pg_roles", connectionOf(args)),
    process: (lines) => {
      const roles: Record<string, PostgresRole> = {};
      // The last line is psql's "(N rows)".
      for (const row of parseColumnsAndRows(lines.slice(0, -1), "|", "rol")) {
        const details: PostgresRole = { ...row };
        for (const [key, value] of Object.entries(row)) {
          if (key === "oid" || key === "connlimit") details[key] = tryInt(value);
          if (ROLE_FLAGS.includes(key)) details[key] = value === "t";
        }
        const roleName = String(details.name);
        delete details.name;
        roles[roleName] = details;
      }
      return roles;
    },
    default: () => ({}),
  });
}

/** A database's attributes (`datname` -> name, `dat` prefix removed). */
export type PostgresDatabase = Record<string, string | number | boolean | null>;

function databasesFact(name: string) {
  return defineFact<Record<string, PostgresDatabase>, PostgresFactArgs>({
    name,
    summary: "Returns a dict of PostgreSQL databases and metadata.",
    argNames: [...ARG_NAMES],
    requiresCommand: "psql",
    command: (args) =>
      psqlExecute(
        "SELECT pg_catalog.pg_encoding_to_char(encoding), * FROM pg_catalog.pg_database",
        connectionOf(args),
      ),
    process: (lines) => {
      const databases: Record<string, PostgresDatabase> = {};
      for (const row of parseColumnsAndRows(lines.slice(0, -1), "|", "dat") as DatabaseRow[]) {
        const details: PostgresDatabase = { ...row };
        details.encoding = row.pg_encoding_to_char ?? null;
        delete details.pg_encoding_to_char;
        for (const [key, value] of Object.entries(row)) {
          if (key === "pg_encoding_to_char") continue;
          if (key.endsWith("id") || ["dba", "tablespace", "connlimit"].includes(key)) {
            details[key] = tryInt(value);
          }
          if (key === "istemplate" || key === "allowconn") details[key] = value === "t";
        }
        const dbName = String(details.name);
        delete details.name;
        databases[dbName] = details;
      }
      return databases;
    },
    default: () => ({}),
  });
}

/**
 * PostgreSQL roles by name, with their attributes (`super`, `canlogin`, ...).
 *
 * @example
 * ```ts ignore
 * const roles = await host.getFact(PostgresRoles, {}, { _sudo: true, _sudoUser: "postgres" });
 * ```
 */
export const PostgresRoles: Fact<Record<string, PostgresRole>, PostgresFactArgs> = rolesFact(
  "postgres.PostgresRoles",
);

/**
 * PostgreSQL databases by name, with their encoding, owner id and flags.
 *
 * @example
 * ```ts ignore
 * const databases = await host.getFact(PostgresDatabases, {});
 * ```
 */
export const PostgresDatabases: Fact<Record<string, PostgresDatabase>, PostgresFactArgs> =
  databasesFact("postgres.PostgresDatabases");

/** pyinfra's deprecated name of {@linkcode PostgresRoles}. */
export const PostgresqlRoles: Fact<Record<string, PostgresRole>, PostgresFactArgs> = rolesFact(
  "postgresql.PostgresqlRoles",
);

/** pyinfra's deprecated name of {@linkcode PostgresDatabases}. */
export const PostgresqlDatabases: Fact<Record<string, PostgresDatabase>, PostgresFactArgs> =
  databasesFact("postgresql.PostgresqlDatabases");
