/**
 * Init-system operations beyond pyinfra's cases: server.service picks the init system
 * in one round of fact reads, unit names get `.service`, names stay one argument, and
 * systemd.service against a real systemd (a container whose PID 1 is systemd).
 */
import * as path from "node:path";
import { service as serverService } from "../../src/operations/server.ts";
import * as systemd from "../../src/operations/systemd.ts";
import * as sysvinit from "../../src/operations/sysvinit.ts";
import { dockerTest, removeContainer, startSystemdContainer } from "../../scripts/fleet/fleet.ts";
import { generateWith } from "./_context.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

Deno.test("server.service reads every init system's marker together and picks like pyinfra", async () => {
  const asked: string[] = [];
  const { commands } = await generateWith(serverService, { service: "nginx", restarted: true }, {
    facts: (name, args) => {
      asked.push(`${name}(${JSON.stringify(args)})`);
      if (name === "server.Which") return null;
      if (name === "files.Directory") return args.path === "/etc/init.d" ? { mode: 755 } : null;
      if (name === "sysvinit.InitdStatus") return { nginx: true };
      return null;
    },
  });
  assertEquals(commands, ["/etc/init.d/nginx restart"]);
  // Four `which`, init.d as a link and as a folder, the OS and /etc/rc.d: one batch.
  assertEquals(asked.filter((a) => !a.startsWith("sysvinit")).length, 8);
  await assertRejects(
    () => generateWith(serverService, { service: "nginx" }, { facts: () => null }),
    /No init system found/,
  );
});

Deno.test("systemd.service adds .service, quotes the unit and enables it", async () => {
  const { commands } = await generateWith(
    systemd.service,
    { service: "my app", enabled: true, daemonReload: true },
    {
      facts: (name) => (name === "systemd.SystemdStatus" ? { "my app.service": true } : {}),
    },
  );
  assertEquals(commands, [
    "systemctl daemon-reload",
    "systemctl enable 'my app.service'",
  ]);
});

Deno.test("sysvinit.service with enabled: false removes the start links it finds", async () => {
  const { commands } = await generateWith(sysvinit.service, { service: "cron", enabled: false }, {
    facts: (name) =>
      name === "files.FindLinks" ? ["/etc/rc2.d/S01cron", "/etc/rc3.d/S01cron"] : { cron: true },
  });
  assertEquals(commands, ["rm -f /etc/rc2.d/S01cron", "rm -f /etc/rc3.d/S01cron"]);
});

await dockerTest(
  "systemd.service starts, enables and stops a real unit under systemd",
  async () => {
    const id = await startSystemdContainer();
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-systemd-" });
    try {
      const unit =
        "[Unit]\\nDescription=t\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n";
      const write = (running: boolean, enabled: boolean) =>
        Deno.writeTextFile(
          path.join(dir, `deploy-${running}.ts`),
          `import { files, systemd } from "tsinfra";
const unit = files.put({ src: "./sleeper.service", dest: "/etc/systemd/system/sleeper.service" });
systemd.daemonReload({ _if: unit.didChange });
systemd.service({ service: "sleeper", running: ${running}, enabled: ${enabled} });
`,
        );
      await Deno.writeTextFile(path.join(dir, "sleeper.service"), unit.replaceAll("\\n", "\n"));
      await write(true, true);
      await write(false, false);
      const run = async (file: string) => {
        const output = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", path.join(ROOT, "cli.ts"), `@docker/${id}`, file, "-y", "--json"],
          cwd: dir,
          stdin: "null",
        }).output();
        const report = JSON.parse(new TextDecoder().decode(output.stdout));
        assertEquals(output.code, 0, JSON.stringify(report));
        return report.totals.changed as number;
      };
      const systemctl = async (...args: string[]) =>
        new TextDecoder().decode(
          (await new Deno.Command("docker", { args: ["exec", id, "systemctl", ...args] }).output())
            .stdout,
        ).trim();
      assertEquals(await run("deploy-true.ts"), 3);
      assertEquals(await systemctl("is-active", "sleeper"), "active");
      assertEquals(await systemctl("is-enabled", "sleeper"), "enabled");
      assertEquals(await run("deploy-true.ts"), 0);
      assertEquals(await run("deploy-false.ts"), 1);
      assertEquals(await systemctl("is-active", "sleeper"), "inactive");
      assertEquals(await systemctl("is-enabled", "sleeper"), "disabled");
      assertEquals(await run("deploy-false.ts"), 0);
    } finally {
      await removeContainer(id);
      await Deno.remove(dir, { recursive: true });
    }
  },
);
