/**
 * MySQL / MariaDB operations: `mysql.sql`, `mysql.user`, `mysql.database`,
 * `mysql.privileges`, `mysql.dump` and `mysql.load`, run with the mysql client, with
 * pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationContext } from "../core/operation.ts";
import { mask, quote, StringCommand } from "../core/command.ts";
import { OperationError } from "../core/errors.ts";
import {
  mysqlCommand,
  type MysqlConnection,
  MysqlDatabases,
  mysqlExecute,
  type MysqlFactArgs,
  MysqlUserGrants,
  MysqlUsers,
} from "../facts/mysql.ts";

/** How the operations connect, as pyinfra names it. */
export interface MysqlOptions {
  /** The user the client connects as. @default {null} */
  mysqlUser?: string | null;
  /** Its password (masked in output). @default {null} */
  mysqlPassword?: string | null;
  /** The server. @default {null} (the local socket) */
  mysqlHost?: string | null;
  /** The port. @default {null} */
  mysqlPort?: number | null;
}

const MYSQL_ARGS = ["mysqlUser", "mysqlPassword", "mysqlHost", "mysqlPort"] as const;

function connection(options: MysqlOptions, database?: string | null): MysqlConnection {
  return {
    database,
    user: options.mysqlUser,
    password: options.mysqlPassword,
    host: options.mysqlHost,
    port: options.mysqlPort,
  };
}

function factArgs(options: MysqlOptions): MysqlFactArgs {
  return {
    mysql_user: options.mysqlUser ?? null,
    mysql_password: options.mysqlPassword ?? null,
    mysql_host: options.mysqlHost ?? null,
    mysql_port: options.mysqlPort ?? null,
  };
}

/** Options of {@linkcode sql}. */
export interface SqlOptions extends MysqlOptions {
  /** The SQL to run. */
  sql: string;
  /** The database to run it in. @default {null} */
  database?: string | null;
}

/**
 * Runs SQL with the mysql client. Not idempotent.
 *
 * @example
 * ```ts ignore
 * mysql.sql({ sql: "FLUSH TABLES", database: "app" });
 * ```
 */
export const sql: Operation<SqlOptions> = defineOperation<SqlOptions>("mysql.sql", {
  argNames: ["sql", "database", ...MYSQL_ARGS],
  idempotent: false,
  summary: "Execute arbitrary SQL against MySQL.",
  async *generator(args) {
    yield mysqlExecute(args.sql, connection(args, args.database));
  },
});

/** Options of {@linkcode privileges}. */
export interface PrivilegesOptions extends MysqlOptions {
  /** The user's name. */
  user: string;
  /** The privileges it should have there (exactly these): `["SELECT", "INSERT"]`, `"ALL"`. */
  privileges: string | string[];
  /** The user's host. @default {"localhost"} */
  userHostname?: string;
  /** The database (`*` for all). @default {"*"} */
  database?: string;
  /** The table (`*` for all). @default {"*"} */
  table?: string;
  /** Run `FLUSH PRIVILEGES` after a change. @default {true} */
  flush?: boolean;
  /** Also `GRANT OPTION`. @default {false} */
  withGrantOption?: boolean;
}

async function* ensurePrivileges(args: PrivilegesOptions, ctx: OperationContext) {
  const { user, userHostname = "localhost", flush = true } = args;
  const wanted = new Set(typeof args.privileges === "string" ? [args.privileges] : args.privileges);
  if (args.withGrantOption) wanted.add("GRANT OPTION");
  const database = !args.database || args.database === "*" ? "*" : `\`${args.database}\``;
  let table = "*";
  if (args.table && args.table !== "*") {
    table = `\`${args.table}\``;
    if (database === "*") {
      throw new OperationError(
        `Cannot apply MySQL privileges on ${database}.${table}, no database provided`,
      );
    }
  }
  const target = `${database}.${table}`;
  const grants = await ctx.host.getFact(MysqlUserGrants, {
    user,
    hostname: userHostname,
    ...factArgs(args),
  });
  const existing = new Set(
    (grants[target] ?? []).map((p) => (p === "ALL PRIVILEGES" ? "ALL" : p)),
  );
  const conn = connection(args);
  const statement = (action: string, to: string, privileges: Set<string>, withs?: string) => {
    let text = `${action} ${
      [...privileges].sort().join(", ")
    } ON ${database}.${table} ${to} "${user}"@"${userHostname}"`;
    if (withs) text += ` WITH ${withs}`;
    return mysqlExecute(text, conn);
  };
  const revoke = new Set([...existing].filter((p) => !wanted.has(p)));
  const grant = new Set([...wanted].filter((p) => !existing.has(p)));
  if (grant.size) revoke.delete("USAGE");
  const isAllWithGrant = (set: Set<string>) =>
    set.size === 2 && set.has("ALL") && set.has("GRANT OPTION");
  if (revoke.size) {
    if (isAllWithGrant(revoke)) {
      yield statement("REVOKE", "FROM", new Set(["GRANT OPTION"]));
      yield statement("REVOKE", "FROM", new Set(["ALL PRIVILEGES"]));
    } else yield statement("REVOKE", "FROM", revoke);
  }
  if (grant.size) {
    if (isAllWithGrant(grant)) {
      yield statement("GRANT", "TO", new Set(["ALL PRIVILEGES"]), "GRANT OPTION");
    } else yield statement("GRANT", "TO", grant);
  }
  if (grant.size || revoke.size) {
    if (flush) yield mysqlExecute("FLUSH PRIVILEGES", conn);
  } else ctx.noop("mysql privileges are already correct");
}

/**
 * Sets exactly these privileges for a user on a database or table (granting and
 * revoking as needed).
 *
 * @example
 * ```ts ignore
 * mysql.privileges({ user: "app", privileges: ["SELECT", "INSERT"], database: "app" });
 * ```
 */
export const privileges: Operation<PrivilegesOptions> = defineOperation<PrivilegesOptions>(
  "mysql.privileges",
  {
    argNames: [
      "user",
      "privileges",
      "userHostname",
      "database",
      "table",
      "flush",
      "withGrantOption",
      ...MYSQL_ARGS,
    ],
    summary: "Add/remove MySQL privileges for a user, either global, database or table specific.",
    generator: (args, ctx) => ensurePrivileges(args, ctx),
  },
);

/** Options of {@linkcode user}. */
export interface UserOptions extends MysqlOptions {
  /** The user's name. */
  user: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** The host it connects from. @default {"localhost"} */
  userHostname?: string;
  /** Its password, when created (masked in output). @default {null} */
  password?: string | null;
  /** Global privileges (see `mysql.privileges`). @default {null} */
  privileges?: string | string[] | null;
  /** `SSL` or `X509`. @default {null} */
  require?: "SSL" | "X509" | null;
  /** With X509: the cipher required. @default {false} */
  requireCipher?: string | false;
  /** With X509: the certificate issuer required. @default {false} */
  requireIssuer?: string | false;
  /** With X509: the certificate subject required. @default {false} */
  requireSubject?: string | false;
  /** `MAX_USER_CONNECTIONS`. @default {null} */
  maxConnections?: number | null;
  /** `MAX_QUERIES_PER_HOUR`. @default {null} */
  maxQueriesPerHour?: number | null;
  /** `MAX_UPDATES_PER_HOUR`. @default {null} */
  maxUpdatesPerHour?: number | null;
  /** `MAX_CONNECTIONS_PER_HOUR`. @default {null} */
  maxConnectionsPerHour?: number | null;
}

/**
 * Creates, alters or drops a MySQL user, and sets its global privileges.
 *
 * @example
 * ```ts ignore
 * mysql.user({ user: "app", password: "s3cret", privileges: ["SELECT"] });
 * ```
 */
export const user: Operation<UserOptions> = defineOperation<UserOptions>("mysql.user", {
  argNames: [
    "user",
    "present",
    "userHostname",
    "password",
    "privileges",
    "require",
    "requireCipher",
    "requireIssuer",
    "requireSubject",
    "maxConnections",
    "maxQueriesPerHour",
    "maxUpdatesPerHour",
    "maxConnectionsPerHour",
    ...MYSQL_ARGS,
  ],
  summary: "Add/remove/update MySQL users.",
  async *generator(args, ctx) {
    const { user, present = true, userHostname = "localhost", require } = args;
    if (require && require !== "SSL" && require !== "X509") {
      throw new OperationError('Invalid `require` value, must be: "SSL" or "X509"');
    }
    if (require !== "X509") {
      for (
        const [name, value] of [
          ["require_cipher", args.requireCipher],
          ["require_issuer", args.requireIssuer],
          ["require_subject", args.requireSubject],
        ] as const
      ) {
        if (value) throw new OperationError(`Cannot set \`${name}\` if \`require\` is not "X509"`);
      }
    }
    const conn = connection(args);
    const users = await ctx.host.getFact(MysqlUsers, factArgs(args));
    const key = `${user}@${userHostname}`;
    const current = users[key];
    if (!present) {
      if (current) yield mysqlExecute(`DROP USER "${user}"@"${userHostname}"`, conn);
      else ctx.noop(`mysql user ${key} does not exist`);
      return;
    }
    const limits: [string, number | null | undefined, string][] = [
      ["MAX_USER_CONNECTIONS", args.maxConnections, "max_user_connections"],
      ["MAX_QUERIES_PER_HOUR", args.maxQueriesPerHour, "max_questions"],
      ["MAX_UPDATES_PER_HOUR", args.maxUpdatesPerHour, "max_updates"],
      ["MAX_CONNECTIONS_PER_HOUR", args.maxConnectionsPerHour, "max_connections"],
    ];
    const x509 = [
      ["CIPHER", args.requireCipher, "ssl_cipher"],
      ["ISSUER", args.requireIssuer, "x509_issuer"],
      ["SUBJECT", args.requireSubject, "x509_subject"],
    ] as const;
    if (!current) {
      const bits: (string | ReturnType<typeof mask>)[] = [
        `CREATE USER "${user}"@"${userHostname}"`,
      ];
      if (args.password) bits.push(mask(`IDENTIFIED BY "${args.password}"`));
      if (require === "SSL") bits.push("REQUIRE SSL");
      if (require === "X509") {
        bits.push("REQUIRE");
        const requireBits = x509.filter(([, v]) => v).map(([k, v]) => `${k} "${v}"`);
        bits.push(...(requireBits.length ? requireBits : ["X509"]));
      }
      const resources = limits.filter(([, v]) => v).map(([k, v]) => `${k} ${v}`);
      if (resources.length) bits.push("WITH", resources.join(" "));
      yield mysqlExecute(new StringCommand(bits), conn);
    } else {
      const alter: string[] = [];
      if (require === "SSL" && current.ssl_type !== "ANY") alter.push("REQUIRE SSL");
      if (require === "X509") {
        const requireBits = x509.filter(([, v, column]) => v && current[column] !== v)
          .map(([k, v]) => `${k} "${v}"`);
        if (!requireBits.length && current.ssl_type !== "X509") requireBits.push("X509");
        if (requireBits.length) alter.push("REQUIRE", ...requireBits);
      }
      const resources = limits.filter(([, v, column]) => v && current[column] !== v)
        .map(([k, v]) => `${k} ${v}`);
      if (resources.length) alter.push("WITH", resources.join(" "));
      if (alter.length) {
        yield mysqlExecute(
          new StringCommand([`ALTER USER "${user}"@"${userHostname}"`, ...alter]),
          conn,
        );
      } else ctx.noop(`mysql user ${key} exists`);
    }
    if (args.privileges) {
      yield* ensurePrivileges({ ...args, user, userHostname, privileges: args.privileges }, ctx);
    }
  },
});

/** Options of {@linkcode database}. */
export interface DatabaseOptions extends MysqlOptions {
  /** The database's name. */
  database: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** Its collation, when created. @default {null} */
  collate?: string | null;
  /** Its character set, when created. @default {null} */
  charset?: string | null;
  /** A user to grant privileges on it. @default {null} */
  user?: string | null;
  /** That user's host. @default {"localhost"} */
  userHostname?: string;
  /** The privileges that user gets. @default {"ALL"} */
  userPrivileges?: string | string[];
}

/**
 * Creates or drops a database, and grants a user privileges on it.
 *
 * @example
 * ```ts ignore
 * mysql.database({ database: "app", charset: "utf8mb4", user: "app" });
 * ```
 */
export const database: Operation<DatabaseOptions> = defineOperation<DatabaseOptions>(
  "mysql.database",
  {
    argNames: [
      "database",
      "present",
      "collate",
      "charset",
      "user",
      "userHostname",
      "userPrivileges",
      ...MYSQL_ARGS,
    ],
    summary: "Add/remove MySQL databases.",
    async *generator(args, ctx) {
      const { database, present = true, userPrivileges = "ALL" } = args;
      const conn = connection(args);
      const databases = await ctx.host.getFact(MysqlDatabases, factArgs(args));
      const exists = Object.hasOwn(databases, database);
      if (!present) {
        if (exists) yield mysqlExecute(`DROP DATABASE \`${database}\``, conn);
        else ctx.noop(`mysql database ${database} does not exist`);
        return;
      }
      if (!exists) {
        const bits = [`CREATE DATABASE \`${database}\``];
        if (args.collate) bits.push(`COLLATE ${args.collate}`);
        if (args.charset) bits.push(`CHARSET ${args.charset}`);
        yield mysqlExecute(bits.join(" "), conn);
      } else ctx.noop(`mysql database ${database} exists`);
      if (args.user && userPrivileges) {
        yield* ensurePrivileges({
          ...args,
          user: args.user,
          userHostname: args.userHostname ?? "localhost",
          privileges: userPrivileges,
          database,
        }, ctx);
      }
    },
  },
);

/** Options of {@linkcode dump}. */
export interface DumpOptions extends MysqlOptions {
  /** The file on the host the dump is written to. */
  dest: string;
  /** The database to dump. @default {null} */
  database?: string | null;
}

/**
 * Dumps a database to a file on the host with mysqldump. Not idempotent.
 *
 * @example
 * ```ts ignore
 * mysql.dump({ dest: "/var/backups/app.sql", database: "app" });
 * ```
 */
export const dump: Operation<DumpOptions> = defineOperation<DumpOptions>("mysql.dump", {
  argNames: ["dest", "database", ...MYSQL_ARGS],
  idempotent: false,
  summary: "Dump a MySQL database into a .sql file.",
  async *generator(args) {
    yield new StringCommand([
      mysqlCommand(connection(args, args.database), "mysqldump"),
      ">",
      quote(args.dest),
    ]);
  },
});

/** Options of {@linkcode load}. */
export interface LoadOptions extends MysqlOptions {
  /** The `.sql` file on the host. */
  src: string;
  /** The database to load it into. @default {null} */
  database?: string | null;
}

/**
 * Loads a `.sql` file on the host into a database. Not idempotent.
 *
 * @example
 * ```ts ignore
 * mysql.load({ src: "/tmp/schema.sql", database: "app" });
 * ```
 */
export const load: Operation<LoadOptions> = defineOperation<LoadOptions>("mysql.load", {
  argNames: ["src", "database", ...MYSQL_ARGS],
  idempotent: false,
  summary: "Load a .sql file into a MySQL database.",
  async *generator(args) {
    yield new StringCommand([mysqlCommand(connection(args, args.database)), "<", quote(args.src)]);
  },
});
