/**
 * The web + database example (examples/web_db) on a fresh Debian target whose PID 1 is
 * systemd (a container with CAP_SYS_ADMIN and NET_ADMIN): apt, a system user, a venv and
 * requirements, a PostgreSQL role and database, a systemd unit from a template, a cron
 * job and iptables rules. The second run changes nothing; the application answers.
 */
import * as path from "node:path";
import { dockerTest, removeContainer, startSystemdContainer } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

const tsinfra = (...args: string[]) => tsinfraIn(path.join(ROOT, "examples/web_db"), ...args);

await dockerTest(
  "the web + database example deploys on systemd Debian, then changes nothing",
  async () => {
    const id = await startSystemdContainer(["--cap-add", "NET_ADMIN"]);
    try {
      const first = await tsinfra(`@docker/${id}`, "deploy.ts", "-y", "--json");
      assertEquals(first.code, 0, first.stderr + first.stdout);
      const report = JSON.parse(first.stdout);
      const errors = Object.values(report.hosts).flatMap((h) =>
        (h as { operations: { error: string | null }[] }).operations.filter((o) => o.error)
      );
      assertEquals(errors, []);
      const second = await tsinfra(`@docker/${id}`, "deploy.ts", "-y", "--json");
      assertEquals(second.code, 0, second.stderr);
      const again = JSON.parse(second.stdout);
      const changed = Object.values(again.hosts).flatMap((h) =>
        (h as { operations: { name: string; changed: boolean }[] }).operations.filter((o) =>
          o.changed
        ).map((o) => o.name)
      );
      assertEquals(changed, []);

      const exec = (script: string) => run("docker", ["exec", id, "bash", "-c", script]);
      const page = await exec(
        "for i in 1 2 3 4 5 6 7 8 9 10; do exec 3<>/dev/tcp/127.0.0.1/8000 && break; sleep 0.5; done; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3",
      );
      assertMatch(page.stdout, /deployed by tsinfra/);
      const role = await exec(
        "su postgres -s /bin/sh -c \"psql -tAc \\\"SELECT datname || ':' || pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'webapp'\\\"\"",
      );
      assertEquals(role.stdout.trim(), "webapp:webapp", role.stderr);
      assertMatch((await exec("systemctl is-enabled webapp.service")).stdout, /^enabled/);
      assertMatch(
        (await exec("crontab -u postgres -l")).stdout,
        /15 3 \* \* \* vacuumdb --quiet webapp/,
      );
      assertMatch(
        (await exec("iptables -S WEBAPP")).stdout,
        /-A WEBAPP -p tcp -m tcp --dport 8000 -j ACCEPT/,
      );
    } finally {
      await removeContainer(id);
    }
  },
);
