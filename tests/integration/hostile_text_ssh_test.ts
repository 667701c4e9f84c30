/**
 * Hostile text through @ssh with sudo on a fleet host (a Debian container: dash, mawk,
 * GNU sed and coreutils): the same scenarios as tests/operations/hostile_text_test.ts,
 * run as the `deploy` user with `--sudo`. Canaries must never appear, files must hold
 * exactly the expected bytes, and a second run must change nothing.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { run } from "../_cli.ts";
import {
  crontabScenario,
  INJECTION_SCENARIOS,
  PAYLOAD,
  REFUSED_SCENARIOS,
  runScenario,
  type Target,
  userScenario,
  withCanary,
} from "../operations/_hostile.ts";

await dockerTest(
  "hostile text runs nothing and is written exactly, through @ssh with sudo",
  async (t) => {
    const fleet = await fleetUp(1);
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-hostile-ssh-" }));
    try {
      const host = fleet.hosts[0];
      await Deno.writeTextFile(
        path.join(dir, "inventory.ts"),
        `export const hosts = [["${host.name}", ${
          JSON.stringify({
            sshHostname: "127.0.0.1",
            sshPort: host.port,
            sshUser: "deploy",
            sshKey: fleet.key,
            sshKnownHostsFile: fleet.knownHosts,
          })
        }]];\n`,
      );
      await Deno.writeTextFile(path.join(dir, "payload.txt"), PAYLOAD);
      const target: Target = {
        inventory: "inventory.ts",
        cliArgs: ["--sudo"],
        sh: async (script) => {
          const result = await run("docker", ["exec", host.container, "sh", "-c", script]);
          return { code: result.code, stdout: result.stdout };
        },
      };
      const work = (await target.sh("mktemp -d")).stdout.trim();
      for (const [i, scenario] of [...INJECTION_SCENARIOS, ...REFUSED_SCENARIOS].entries()) {
        await t.step(scenario.name, async () => {
          const base = `${work}/s${i}`;
          await runScenario(target, dir, base, withCanary(scenario, base));
        });
      }
      await t.step("server.user with a backslash in the comment runs usermod once", async () => {
        await userScenario(target, dir);
      });
      // The fleet image has no cron; it is installed when the container can reach Debian.
      const cron = await target.sh(
        "command -v crontab || (apt-get update -qq && apt-get install -y -qq --no-install-recommends cron) > /dev/null 2>&1",
      );
      await t.step({
        name:
          "server.crontab keeps backslashes and hostile text exactly, refuses a newline in cronName, and leaves no temporary file",
        ignore: cron.code !== 0,
        fn: () => crontabScenario(target, dir),
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await fleet.down();
    }
  },
);
