/**
 * mysql and postgres operations beyond pyinfra's cases: passwords are sent but masked
 * in every printed command (including mysqldump, which pyinfra breaks), identifiers
 * with quotes stay inside their quotes, and the privilege arithmetic of mysql.privileges.
 */
import * as mysql from "../../src/operations/mysql.ts";
import * as postgres from "../../src/operations/postgres.ts";
import { generateWith } from "./_context.ts";
import { assertEquals } from "../_assert.ts";

Deno.test("mysql.dump sends the password and masks it in output", async () => {
  const { commands } = await generateWith(mysql.dump, {
    dest: "/var/backups/app.sql",
    database: "app",
    mysqlUser: "root",
    mysqlPassword: "s3cret",
  });
  assertEquals(commands, [[
    'mysqldump app -u"root" -p"s3cret" > /var/backups/app.sql',
    'mysqldump app -u"root" *** > /var/backups/app.sql',
  ]]);
});

Deno.test("mysql.privileges grants what is missing and revokes what is extra", async () => {
  const { commands } = await generateWith(mysql.privileges, {
    user: "app",
    privileges: ["SELECT", "INSERT"],
    database: "shop",
  }, {
    facts: () => ({ "`shop`.*": ["SELECT", "DELETE"] }),
  });
  assertEquals(commands, [
    `mysql -Be 'REVOKE DELETE ON \`shop\`.* FROM "app"@"localhost"'`,
    `mysql -Be 'GRANT INSERT ON \`shop\`.* TO "app"@"localhost"'`,
    "mysql -Be 'FLUSH PRIVILEGES'",
  ]);
});

Deno.test("postgres.role doubles quotes in names and passwords, and masks the password", async () => {
  const { commands } = await generateWith(postgres.role, {
    role: 'we"ird',
    password: "it's",
  }, { facts: () => ({}) });
  assertEquals(commands, [[
    `psql -Ac 'CREATE ROLE "we""ird" LOGIN PASSWORD '"'"'it'"'"''"'"'s'"'"''`,
    `psql -Ac 'CREATE ROLE "we""ird" LOGIN ***'`,
  ]]);
});

Deno.test("postgres.database with an owner, then nothing when it exists", async () => {
  const create = await generateWith(postgres.database, {
    database: "app",
    owner: "app",
    encoding: "UTF8",
  }, { facts: () => ({}) });
  assertEquals(create.commands, [`psql -Ac 'CREATE DATABASE "app" OWNER "app" ENCODING UTF8'`]);
  const again = await generateWith(postgres.database, { database: "app" }, {
    facts: () => ({ app: { encoding: "UTF8" } }),
  });
  assertEquals([again.commands, again.noop], [[], "postgresql database app exists"]);
});
