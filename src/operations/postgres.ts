/**
 * PostgreSQL operations: `postgres.sql`, `postgres.role`, `postgres.database`,
 * `postgres.dump` and `postgres.load`, run with psql (pyinfra's `postgresql` module is
 * the same operations). Run them as the `postgres` user (`_sudo`, `_sudoUser`) or pass
 * `psqlUser` / `psqlPassword` / `psqlHost` / `psqlPort`.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationContext } from "../core/operation.ts";
import { mask, quote, StringCommand } from "../core/command.ts";
import {
  PostgresDatabases,
  type PostgresFactArgs,
  PostgresRoles,
  psqlCommand,
  type PsqlConnection,
  psqlExecute,
} from "../facts/postgres.ts";

/** How the operations connect, as pyinfra names it. */
export interface PsqlOptions {
  /** The user psql connects as (`-U`). @default {null} */
  psqlUser?: string | null;
  /** Its password (`PGPASSWORD`, masked in output). @default {null} */
  psqlPassword?: string | null;
  /** The server (`-h`). @default {null} (the local socket) */
  psqlHost?: string | null;
  /** The port (`-p`). @default {null} */
  psqlPort?: number | null;
}

const PSQL_ARGS = ["psqlUser", "psqlPassword", "psqlHost", "psqlPort"] as const;

function connection(options: PsqlOptions, database?: string | null): PsqlConnection {
  return {
    database,
    user: options.psqlUser,
    password: options.psqlPassword,
    host: options.psqlHost,
    port: options.psqlPort,
  };
}

function factArgs(options: PsqlOptions): PostgresFactArgs {
  return {
    psql_user: options.psqlUser ?? null,
    psql_password: options.psqlPassword ?? null,
    psql_host: options.psqlHost ?? null,
    psql_port: options.psqlPort ?? null,
  };
}

/** `"name"` as an SQL identifier (embedded `"` doubled). */
function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Options of {@linkcode sql}. */
export interface SqlOptions extends PsqlOptions {
  /** The SQL to run. */
  sql: string;
  /** The database to run it in. @default {null} */
  database?: string | null;
}

/**
 * Runs SQL with psql. Not idempotent.
 *
 * @example
 * ```ts ignore
 * postgres.sql({ sql: "VACUUM", database: "app", _sudo: true, _sudoUser: "postgres" });
 * ```
 */
export const sql: Operation<SqlOptions> = defineOperation<SqlOptions>("postgres.sql", {
  argNames: ["sql", "database", ...PSQL_ARGS],
  idempotent: false,
  summary: "Execute arbitrary SQL against PostgreSQL.",
  async *generator(args) {
    yield psqlExecute(args.sql, connection(args, args.database));
  },
});

/** Options of {@linkcode role}. */
export interface RoleOptions extends PsqlOptions {
  /** The role's name. */
  role: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** Its password (masked in output). @default {null} */
  password?: string | null;
  /** It may log in. @default {true} */
  login?: boolean;
  /** It is a superuser. @default {false} */
  superuser?: boolean;
  /** It inherits its groups' privileges. @default {false} */
  inherit?: boolean;
  /** It may create databases. @default {false} */
  createdb?: boolean;
  /** It may create roles. @default {false} */
  createrole?: boolean;
  /** It may start replication. @default {false} */
  replication?: boolean;
  /** Its connection limit. @default {null} */
  connectionLimit?: number | null;
}

async function* dropOrNoop(
  exists: boolean,
  what: string,
  name: string,
  conn: PsqlConnection,
  ctx: OperationContext,
) {
  if (exists) yield psqlExecute(`DROP ${what.toUpperCase()} ${identifier(name)}`, conn);
  else ctx.noop(`postgresql ${what} ${name} does not exist`);
}

/**
 * Creates or drops a role (attributes apply when it is created).
 *
 * @example
 * ```ts ignore
 * postgres.role({ role: "app", password: "s3cret", _sudo: true, _sudoUser: "postgres" });
 * ```
 */
export const role: Operation<RoleOptions> = defineOperation<RoleOptions>("postgres.role", {
  argNames: [
    "role",
    "present",
    "password",
    "login",
    "superuser",
    "inherit",
    "createdb",
    "createrole",
    "replication",
    "connectionLimit",
    ...PSQL_ARGS,
  ],
  summary: "Add/remove PostgreSQL roles.",
  async *generator(args, ctx) {
    const conn = connection(args);
    const roles = await ctx.host.getFact(PostgresRoles, factArgs(args));
    const exists = Object.hasOwn(roles, args.role);
    if (args.present === false) {
      yield* dropOrNoop(exists, "role", args.role, conn, ctx);
      return;
    }
    if (exists) {
      ctx.noop(`postgresql role ${args.role} exists`);
      return;
    }
    const bits: (string | ReturnType<typeof mask>)[] = [`CREATE ROLE ${identifier(args.role)}`];
    const flags: [string, boolean | undefined][] = [
      ["LOGIN", args.login ?? true],
      ["SUPERUSER", args.superuser],
      ["INHERIT", args.inherit],
      ["CREATEDB", args.createdb],
      ["CREATEROLE", args.createrole],
      ["REPLICATION", args.replication],
    ];
    for (const [flag, on] of flags) if (on) bits.push(flag);
    if (args.connectionLimit) bits.push(`CONNECTION LIMIT ${args.connectionLimit}`);
    if (args.password) bits.push(mask(`PASSWORD '${args.password.replaceAll("'", "''")}'`));
    yield psqlExecute(new StringCommand(bits), conn);
  },
});

/** Options of {@linkcode database}. */
export interface DatabaseOptions extends PsqlOptions {
  /** The database's name. */
  database: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** Its owner role. @default {null} */
  owner?: string | null;
  /** The template it is created from. @default {null} */
  template?: string | null;
  /** Its encoding, e.g. `UTF8`. @default {null} */
  encoding?: string | null;
  /** Its collation. @default {null} */
  lcCollate?: string | null;
  /** Its character classification. @default {null} */
  lcCtype?: string | null;
  /** Its tablespace. @default {null} */
  tablespace?: string | null;
  /** Its connection limit. @default {null} */
  connectionLimit?: number | null;
}

/**
 * Creates or drops a database (options apply when it is created).
 *
 * @example
 * ```ts ignore
 * postgres.database({ database: "app", owner: "app", encoding: "UTF8", _sudo: true, _sudoUser: "postgres" });
 * ```
 */
export const database: Operation<DatabaseOptions> = defineOperation<DatabaseOptions>(
  "postgres.database",
  {
    argNames: [
      "database",
      "present",
      "owner",
      "template",
      "encoding",
      "lcCollate",
      "lcCtype",
      "tablespace",
      "connectionLimit",
      ...PSQL_ARGS,
    ],
    summary: "Add/remove PostgreSQL databases.",
    async *generator(args, ctx) {
      const conn = connection(args);
      const databases = await ctx.host.getFact(PostgresDatabases, factArgs(args));
      const exists = Object.hasOwn(databases, args.database);
      if (args.present === false) {
        yield* dropOrNoop(exists, "database", args.database, conn, ctx);
        return;
      }
      if (exists) {
        ctx.noop(`postgresql database ${args.database} exists`);
        return;
      }
      const bits = [`CREATE DATABASE ${identifier(args.database)}`];
      const options: [string, string | number | null | undefined][] = [
        ["OWNER", args.owner ? identifier(args.owner) : null],
        ["TEMPLATE", args.template],
        ["ENCODING", args.encoding],
        ["LC_COLLATE", args.lcCollate],
        ["LC_CTYPE", args.lcCtype],
        ["TABLESPACE", args.tablespace],
        ["CONNECTION LIMIT", args.connectionLimit],
      ];
      for (const [key, value] of options) if (value) bits.push(`${key} ${value}`);
      yield psqlExecute(new StringCommand(bits), conn);
    },
  },
);

/** Options of {@linkcode dump}. */
export interface DumpOptions extends PsqlOptions {
  /** The file on the host the dump is written to. */
  dest: string;
  /** The database to dump. @default {null} */
  database?: string | null;
}

/**
 * Dumps a database to a file on the host with pg_dump. Not idempotent.
 *
 * @example
 * ```ts ignore
 * postgres.dump({ dest: "/var/backups/app.sql", database: "app", _sudo: true, _sudoUser: "postgres" });
 * ```
 */
export const dump: Operation<DumpOptions> = defineOperation<DumpOptions>("postgres.dump", {
  argNames: ["dest", "database", ...PSQL_ARGS],
  idempotent: false,
  summary: "Dump a PostgreSQL database into a .sql file.",
  async *generator(args) {
    yield new StringCommand([
      psqlCommand(connection(args, args.database), "pg_dump"),
      ">",
      quote(args.dest),
    ]);
  },
});

/** Options of {@linkcode load}. */
export interface LoadOptions extends PsqlOptions {
  /** The `.sql` file on the host. */
  src: string;
  /** The database to load it into. @default {null} */
  database?: string | null;
}

/**
 * Loads a `.sql` file on the host into a database with psql. Not idempotent.
 *
 * @example
 * ```ts ignore
 * postgres.load({ src: "/tmp/schema.sql", database: "app", _sudo: true, _sudoUser: "postgres" });
 * ```
 */
export const load: Operation<LoadOptions> = defineOperation<LoadOptions>("postgres.load", {
  argNames: ["src", "database", ...PSQL_ARGS],
  idempotent: false,
  summary: "Load a .sql file into a PostgreSQL database.",
  async *generator(args) {
    yield new StringCommand([psqlCommand(connection(args, args.database)), "<", quote(args.src)]);
  },
});
