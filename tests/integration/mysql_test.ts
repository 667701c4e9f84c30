/**
 * mysql operations against a real MariaDB server (Debian's mariadb-server, installed by
 * the deploy itself in a fresh container): a user, a database with privileges, SQL; the
 * second run changes nothing. apt reaches Debian's mirror; this takes a minute.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const IMAGE = "tsinfra-fleet:bookworm";

const DEPLOY = `import { apt, mysql, server } from "tsinfra";
apt.packages({ packages: ["mariadb-server"], update: true, cacheTime: 3600 });
server.service({ service: "mariadb", running: true });
mysql.user({ user: "app", password: "s3cret", maxConnections: 10 });
mysql.database({ database: "shop", charset: "utf8mb4", user: "app", userPrivileges: ["SELECT", "INSERT"] });
`;

await dockerTest("mysql operations against a real MariaDB server, then no change", async () => {
  const id = (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim();
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-mysql-" });
  try {
    await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
    const first = await tsinfraIn(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
    assertEquals(first.code, 0, first.stdout + first.stderr);
    const second = await tsinfraIn(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
    assertEquals(second.code, 0, second.stderr);
    assertEquals(JSON.parse(second.stdout).totals.changed, 0, second.stdout);
    const grants = await run("docker", [
      "exec",
      id,
      "mysql",
      "-Be",
      'SHOW GRANTS FOR "app"@"localhost"',
    ]);
    assertEquals(
      grants.stdout.includes("GRANT SELECT, INSERT ON `shop`.* TO `app`@`localhost`"),
      true,
      grants.stdout,
    );
    // The password the deploy set works, and it never appeared in the report.
    const login = await run("docker", [
      "exec",
      id,
      "mysql",
      "-uapp",
      "-ps3cret",
      "-Be",
      "SELECT 1",
    ]);
    assertEquals(login.code, 0, login.stderr);
    assertEquals(first.stdout.includes("s3cret"), false);
  } finally {
    await run("docker", ["rm", "-f", id]);
    await Deno.remove(dir, { recursive: true });
  }
});
