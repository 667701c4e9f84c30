/**
 * The property test of tests/operations/hostile_property_test.ts through the other
 * connectors: a sample of the same generated hostile strings (same generator, fixed
 * seed), dealt to every operation argument that reaches a command, run in batches twice
 * through @docker and @podman (containers of the fleet image), @chroot (a tree exported
 * from it) and @ssh (a fleet host, as `deploy` with --sudo), all at once. Required: no
 * canary, exact bytes, no change on the second run, impossible values refused.
 *
 * TSINFRA_PROPERTY_SEED replays a run; TSINFRA_PROPERTY_CONNECTOR_COUNT sets the sample.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import { assertEquals } from "../_assert.ts";
import { run } from "../_cli.ts";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import {
  type Batch,
  buildBatch,
  type Case,
  checkRefusals,
  deal,
  describeCase,
  newCanary,
  newTally,
  problems,
  removeUsers,
  runBatch,
  runRefusals,
  sampleStrings,
  SLOTS,
  summary,
  type Tally,
  type Target,
} from "../operations/_hostile_arbitrary.ts";

const IMAGE = "tsinfra-fleet:bookworm";
const SEED = Number(Deno.env.get("TSINFRA_PROPERTY_SEED") ?? 20240613);
const COUNT = Number(Deno.env.get("TSINFRA_PROPERTY_CONNECTOR_COUNT") ?? 200);
const BATCH = 100;

/** A target whose shell is a program plus arguments, then `sh -c SCRIPT`. */
function shellVia(program: string, args: string[], env: Record<string, string> = {}) {
  return async (script: string) => {
    const result = await run(program, [...args, "sh", "-c", script], "/", env);
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  };
}

/** Runs the sample through one target; returns its tally. */
async function propertyRun(target: Target, work: string): Promise<Tally> {
  const started = performance.now();
  const canary = newCanary();
  const tally = newTally();
  const batches: Batch[] = [];
  const dir = await Deno.makeTempDir({ dir: work, prefix: "controller-" });
  const root = `/tmp/tsinfra-property-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const slots = SLOTS.filter((slot) => !slot.needs || target.can[slot.needs]);
    const skipped = SLOTS.filter((slot) => !slots.includes(slot)).map((slot) => slot.name);
    if (skipped.length) console.log(`${target.label}: skipped here: ${skipped.join(", ")}`);
    const strings = sampleStrings(SEED, COUNT);
    const { accepted, refused, known } = deal(strings, slots, canary, {
      "server.user comment and home": 8,
    });
    for (const [reason, cases] of known) tally.known[reason] = cases.map(describeCase);
    tally.strings = strings.length;
    tally.accepted = accepted.length;
    tally.refused = refused.length;
    tally.refusalProblems.push(...await checkRefusals(refused, `${root}/refused`));
    const sample: Case[] = [];
    for (const slot of slots.filter((s) => !s.source)) {
      sample.push(...refused.filter((c) => c.slot === slot).slice(0, 1));
    }
    await runRefusals(target, dir, sample.slice(0, 4), `${root}/refused`, canary, tally);
    for (let at = 0, n = 0; at < accepted.length; at += BATCH, n++) {
      batches.push(buildBatch(accepted.slice(at, at + BATCH), `${root}/b${n}`, `tsp${n}x`));
    }
    for (const batch of batches) await runBatch(target, dir, batch, canary, tally);
    console.log(summary(target.label, tally));
    console.log(`${target.label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return tally;
  } finally {
    for (const batch of batches) await removeUsers(target, batch);
    await target.sh(`rm -rf ${root} /tmp/${canary.word}*`);
  }
}

await dockerTest(
  "generated hostile strings run nothing and are written exactly, through @docker, @podman, @chroot and @ssh",
  async () => {
    const work = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "tsinfra-property-connectors-" }),
    );
    const tree = path.join(work, "tree");
    const conf = path.join(work, "containers.conf");
    let created = "";
    let container = "";
    let podmanContainer = "";
    const fleet = await fleetUp(1);
    try {
      console.log(`seed ${SEED} (replay with TSINFRA_PROPERTY_SEED=${SEED})`);
      await Deno.mkdir(tree);
      created = (await run("docker", ["create", IMAGE])).stdout.trim();
      const exported = await run("sh", ["-c", `docker export ${created} | tar -x -C ${tree}`]);
      assertEquals(exported.code, 0, exported.stderr);
      container = (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim();

      // podman: this machine's open-file limit is below podman's default ulimit.
      await Deno.writeTextFile(conf, "[containers]\ndefault_ulimits = []\n");
      Deno.env.set("CONTAINERS_CONF", conf);
      const podmanEnv = { CONTAINERS_CONF: conf };
      const podman = (...args: string[]) => run("podman", args, "/", podmanEnv);
      if ((await podman("image", "exists", IMAGE)).code !== 0) {
        const loaded = await run(
          "sh",
          ["-c", `docker save ${IMAGE} | podman load`],
          "/",
          podmanEnv,
        );
        assertEquals(loaded.code, 0, loaded.stderr);
      }
      podmanContainer = (await podman("run", "-d", IMAGE, "sleep", "infinity")).stdout.trim();
      assert(podmanContainer, "podman could not start a container");

      const host = fleet.hosts[0];
      const sshData = {
        sshHostname: "127.0.0.1",
        sshPort: host.port,
        sshUser: "deploy",
        sshKey: fleet.key,
        sshKnownHostsFile: fleet.knownHosts,
      };
      const places = ["/", "/tmp", "/root", "/home"];
      const can = { root: true, crontab: false };
      const targets: Target[] = [
        {
          label: "@docker",
          inventory: (data) =>
            `export const hosts = [[${JSON.stringify(`@docker/${container}`)}, ${
              JSON.stringify(data)
            }]];\n`,
          cliArgs: [],
          sh: shellVia("docker", ["exec", container]),
          can,
          canaryPlaces: places,
        },
        {
          label: "@podman",
          inventory: (data) =>
            `export const hosts = [[${JSON.stringify(`@podman/${podmanContainer}`)}, ${
              JSON.stringify(data)
            }]];\n`,
          cliArgs: [],
          sh: shellVia("podman", ["exec", podmanContainer], podmanEnv),
          can,
          canaryPlaces: places,
        },
        {
          label: "@chroot",
          inventory: (data) =>
            `export const hosts = [[${JSON.stringify(`@chroot/${tree}`)}, ${
              JSON.stringify(data)
            }]];\n`,
          cliArgs: [],
          sh: shellVia("chroot", [tree]),
          can,
          canaryPlaces: places,
        },
        {
          label: "@ssh (deploy, --sudo)",
          inventory: (data) =>
            `export const hosts = [[${JSON.stringify(host.name)}, ${
              JSON.stringify({ ...data, ...sshData })
            }]];\n`,
          cliArgs: ["--sudo"],
          sh: shellVia("docker", ["exec", host.container]),
          can,
          canaryPlaces: places,
        },
      ];
      // The fleet image has no cron; where a target has crontab, the crontab slot runs.
      for (const target of targets) {
        target.can = {
          root: true,
          crontab: (await target.sh("command -v crontab")).code === 0,
        };
      }
      const tallies = await Promise.all(targets.map((target) => propertyRun(target, work)));
      const report = targets.map((target, i) => `${target.label}:\n${problems(tallies[i])}`).join(
        "\n",
      );
      for (const tally of tallies) {
        assert(tally.strings >= COUNT, "the sample was not run");
      }
      const bad = tallies.reduce(
        (sum, t) =>
          sum + t.escapes.length + t.wrongBytes.length + t.secondRunChanges.length +
          t.failures.length + t.refusalProblems.length,
        0,
      );
      assert(bad === 0, `seed ${SEED}:\n${report}`);
    } finally {
      await fleet.down();
      if (podmanContainer) {
        await run("podman", ["rm", "-f", podmanContainer], "/", { CONTAINERS_CONF: conf });
      }
      Deno.env.delete("CONTAINERS_CONF");
      const containers = [created, container].filter(Boolean);
      if (containers.length) await run("docker", ["rm", "-f", ...containers]);
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
);
