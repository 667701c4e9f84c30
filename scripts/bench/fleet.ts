/**
 * The real-fleet part of `deno task bench`: the same workload with tsinfra, the
 * plain-ssh floor (one ssh per host running one shell script) and Ansible (stock and
 * tuned), first run on clean hosts and no-change run, 3 repeats each, medians. Prints a
 * table and ratios, and one JSON line of raw figures (read by scripts/bench.ts).
 * Options: --quick (N = 10 only), --sizes 10,50, --light 200 (tsinfra and the floor on one
 * sshd listening on N ports), --skip ansible,pyinfra (leave those tools out).
 *
 * @module
 */
import * as path from "node:path";
import { dockerStatus, fleetUp } from "../fleet/fleet.ts";
import { type LightFleet, lightUp } from "./light.ts";

/** What the runs need of a fleet, full or light. */
type Fleet = Pick<LightFleet, "inventory" | "key" | "knownHosts" | "hosts">;

const ROOT = path.resolve(import.meta.dirname!, "../..");
const BENCH = path.join(ROOT, "examples/bench");
const sizesAt = Deno.args.indexOf("--sizes");
const SIZES = Deno.args.includes("--light") && sizesAt < 0
  ? []
  : sizesAt >= 0
  ? Deno.args[sizesAt + 1].split(",").map(Number)
  : Deno.args.includes("--quick")
  ? [10]
  : [10, 50];
const REPEATS = 3;

interface Measure {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  changes: number;
  roundTripsPerHost?: number;
}

async function timed(
  argv: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<Measure & { stdout: string }> {
  const stats = await Deno.makeTempFile();
  try {
    const output = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%e %U %S %M", "-o", stats, ...argv],
      cwd,
      env,
      stdin: "null",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      const err = new TextDecoder().decode(output.stderr) + stdout;
      throw new Error(`${argv.slice(0, 3).join(" ")} failed: ${err.slice(-1500)}`);
    }
    const [wall, user, sys, rss] = (await Deno.readTextFile(stats)).trim().split("\n").pop()!.split(
      " ",
    ).map(Number);
    return {
      wallMs: wall * 1000,
      cpuMs: (user + sys) * 1000,
      peakRssMb: rss / 1024,
      changes: 0,
      stdout,
    };
  } finally {
    await Deno.remove(stats);
  }
}

async function tsinfraRun(
  fleet: Fleet,
  root: string,
  perHostRoot = false,
  deploy = "examples/bench/deploy.ts",
): Promise<Measure> {
  // On the light fleet every "host" shares one filesystem: each keeps its own folder.
  const data = perHostRoot ? [] : ["--data", `benchRoot=${root}`];
  const m = await timed([
    Deno.execPath(),
    "run",
    "-A",
    "cli.ts",
    fleet.inventory,
    deploy,
    "-y",
    "--json",
    ...data,
  ]);
  const report = JSON.parse(m.stdout);
  const trips = Object.values(report.hosts).map((h) =>
    (h as { stats: { roundTrips: number } }).stats.roundTrips
  );
  return {
    ...m,
    changes: report.totals.changed,
    roundTripsPerHost: trips.reduce((a, b) => a + b, 0) / trips.length,
  };
}

async function floorRun(
  fleet: Fleet,
  root: string,
  script: string,
  perHostRoot = false,
): Promise<Measure> {
  const ssh = (port: number, name: string) =>
    `ssh -q -i '${fleet.key}' -p ${port} -o BatchMode=yes -o UserKnownHostsFile='${fleet.knownHosts}' ` +
    `-o StrictHostKeyChecking=accept-new root@127.0.0.1 sh -s '${
      perHostRoot ? `${root}/${name}` : root
    }' '${name}' < '${script}' &`;
  const runner = await Deno.makeTempFile({ suffix: ".sh" });
  await Deno.writeTextFile(
    runner,
    fleet.hosts.map((h) => ssh(h.port, h.name)).join("\n") + "\nwait\n",
  );
  try {
    const m = await timed(["bash", runner]);
    return { ...m, changes: m.stdout.trim().split("\n").map(Number).reduce((a, b) => a + b, 0) };
  } finally {
    await Deno.remove(runner);
  }
}

async function ansibleRun(
  fleet: Fleet,
  root: string,
  tuned: boolean,
  dir: string,
): Promise<Measure> {
  const inventory = path.join(dir, "hosts.ini");
  await Deno.writeTextFile(
    inventory,
    "[fleet]\n" +
      fleet.hosts.map((h) =>
        `${h.name} ansible_host=127.0.0.1 ansible_port=${h.port} ansible_user=root ansible_ssh_private_key_file=${fleet.key} bench_root=${root}`
      ).join("\n") + "\n",
  );
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
    ANSIBLE_HOST_KEY_CHECKING: "False",
    ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${fleet.knownHosts}` +
      (tuned ? ` -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${dir}/cp-%C` : ""),
    ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
    ANSIBLE_LOCAL_TEMP: path.join(dir, "tmp"),
  };
  if (tuned) {
    Object.assign(env, {
      ANSIBLE_FORKS: String(fleet.hosts.length),
      ANSIBLE_PIPELINING: "True",
      ANSIBLE_GATHERING: "explicit",
    });
  }
  const m = await timed(
    ["ansible-playbook", "-i", inventory, path.join(BENCH, "ansible/playbook.yml")],
    env,
    path.join(BENCH, "ansible"),
  );
  const changed = [...m.stdout.matchAll(/changed=(\d+)/g)].reduce((a, r) => a + Number(r[1]), 0);
  return { ...m, changes: changed };
}

/** pyinfra v3 on the same workload (examples/bench/pyinfra), when it is installed. */
async function pyinfraRun(fleet: Fleet, root: string, dir: string): Promise<Measure> {
  const inventory = path.join(dir, "pyinfra_inventory.py");
  await Deno.writeTextFile(
    inventory,
    "fleet = [\n" +
      fleet.hosts.map((h) =>
        `    ("${h.name}", {"ssh_hostname": "127.0.0.1", "ssh_port": ${h.port}, "ssh_user": "root", ` +
        `"ssh_key": "${fleet.key}", "ssh_known_hosts_file": "${fleet.knownHosts}", "bench_root": "${root}"}),`
      ).join("\n") + "\n]\n",
  );
  const m = await timed(
    ["pyinfra", "-y", "--parallel", String(fleet.hosts.length), inventory, "deploy.py"],
    { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? "/root" },
    path.join(BENCH, "pyinfra"),
  );
  return m;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianOf(runs: Measure[]): Measure {
  const pick = (k: keyof Measure) => median(runs.map((r) => r[k] as number));
  return {
    wallMs: Math.round(pick("wallMs")),
    cpuMs: Math.round(pick("cpuMs")),
    peakRssMb: Math.round(pick("peakRssMb")),
    changes: pick("changes"),
    ...(runs[0].roundTripsPerHost !== undefined
      ? { roundTripsPerHost: pick("roundTripsPerHost") }
      : {}),
  };
}

const status = await dockerStatus();
if (!status.available) {
  console.log(`fleet benchmark skipped: ${status.reason}`);
  Deno.exit(0);
}
const skipAt = Deno.args.indexOf("--skip");
const SKIP = skipAt >= 0 ? Deno.args[skipAt + 1].split(",") : [];
const haveAnsible = !SKIP.includes("ansible") &&
  (await new Deno.Command("sh", { args: ["-c", "command -v ansible-playbook"] }).output()).success;
if (!haveAnsible) {
  console.log("ansible-playbook not found (apt-get install ansible-core): Ansible columns skipped");
}
const havePyinfra = !SKIP.includes("pyinfra") &&
  (await new Deno.Command("sh", { args: ["-c", "command -v pyinfra"] }).output()).success;
if (!havePyinfra) {
  console.log("pyinfra not found (pip install pyinfra): pyinfra's rows skipped");
}

const work = await Deno.makeTempDir({ prefix: "tsinfra-bench-" });
const script = path.join(work, "floor.sh");
const payload = (await Deno.readTextFile(path.join(BENCH, "files/payload.txt"))).replace(/\n$/, "");
await Deno.writeTextFile(
  script,
  (await Deno.readTextFile(path.join(BENCH, "floor.sh"))).replace("@PAYLOAD@", payload),
);
const results: Record<string, Record<string, { first: Measure; noChange: Measure }>> = {};
try {
  for (const n of SIZES) {
    const fleet = await fleetUp(n);
    try {
      const tools: [string, (root: string) => Promise<Measure>][] = [
        ["floor", (root) => floorRun(fleet, root, script)],
        ["tsinfra", (root) => tsinfraRun(fleet, root)],
        // The same workload with a fact awaited in deploy code between operations.
        ["tsinfra-fact", (root) => tsinfraRun(fleet, root, false, "examples/bench/deploy_fact.ts")],
      ];
      if (havePyinfra) tools.push(["pyinfra", (root) => pyinfraRun(fleet, root, work)]);
      if (haveAnsible) {
        tools.push(["ansible-tuned", (root) => ansibleRun(fleet, root, true, work)]);
        // Stock Ansible takes minutes per run at N = 50 (forks = 5, fact gathering): N = 10 only unless asked.
        if (n <= 10 || Deno.args.includes("--stock-all")) {
          tools.push(["ansible", (root) => ansibleRun(fleet, root, false, work)]);
        }
      }
      results[n] = {};
      for (const [tool, run] of tools) {
        const first: Measure[] = [];
        const again: Measure[] = [];
        for (let i = 0; i < REPEATS; i++) {
          const root = `/tmp/bench-${tool}-${i}`;
          first.push(await run(root));
          again.push(await run(root));
        }
        results[n][tool] = { first: medianOf(first), noChange: medianOf(again) };
        const check = results[n][tool].noChange.changes === 0
          ? "ok"
          : `NOT ZERO: ${results[n][tool].noChange.changes}`;
        console.error(
          `  N=${n} ${tool}: first ${results[n][tool].first.wallMs} ms, no-change ${
            results[n][tool].noChange.wallMs
          } ms (changes ${check})`,
        );
      }
    } finally {
      await fleet.down();
    }
  }
  const lightAt = Deno.args.indexOf("--light");
  if (lightAt >= 0) {
    const n = Number(Deno.args[lightAt + 1]);
    const light = await lightUp(n);
    try {
      results[`${n} (light)`] = {};
      for (
        const [tool, run] of [
          ["floor", (root: string) => floorRun(light, root, script, true)],
          ["tsinfra", (root: string) => tsinfraRun(light, root, true)],
        ] as [string, (root: string) => Promise<Measure>][]
      ) {
        const first: Measure[] = [];
        const again: Measure[] = [];
        for (let i = 0; i < REPEATS; i++) {
          await new Deno.Command("docker", {
            args: [
              "exec",
              ...(await lightContainer()),
              "rm",
              "-rf",
              "/tmp/tsinfra-bench-light",
              "/tmp/bench-floor-light",
            ],
          }).output();
          first.push(await run("/tmp/bench-floor-light"));
          again.push(await run("/tmp/bench-floor-light"));
        }
        results[`${n} (light)`][tool] = { first: medianOf(first), noChange: medianOf(again) };
        console.error(
          `  N=${n} light ${tool}: first ${
            results[`${n} (light)`][tool].first.wallMs
          } ms, no-change ${results[`${n} (light)`][tool].noChange.wallMs} ms`,
        );
      }
    } finally {
      await light.down();
    }
  }
} finally {
  await Deno.remove(work, { recursive: true });
}

async function lightContainer(): Promise<string[]> {
  const output = await new Deno.Command("docker", {
    args: ["ps", "-q", "--filter", "label=tsinfra-bench-light"],
  }).output();
  return [new TextDecoder().decode(output.stdout).trim().split("\n")[0]];
}

console.log("real fleet (sshd containers on 127.0.0.1), medians of 3");
console.log(
  "    N  tool             run         wall ms   cpu ms  peak RSS MB  changes  trips/host",
);
for (const [n, tools] of Object.entries(results)) {
  for (const [tool, runs] of Object.entries(tools)) {
    for (const [label, m] of [["first", runs.first], ["no-change", runs.noChange]] as const) {
      console.log(
        `${n.padStart(5)}  ${tool.padEnd(15)}  ${label.padEnd(10)} ${
          String(m.wallMs).padStart(8)
        } ${String(m.cpuMs).padStart(8)} ${String(m.peakRssMb).padStart(12)} ${
          String(m.changes).padStart(8)
        } ${String(m.roundTripsPerHost ?? "").padStart(11)}`,
      );
    }
  }
  const ts = tools.tsinfra, floor = tools.floor, tuned = tools["ansible-tuned"];
  const withFact = tools["tsinfra-fact"], py = tools.pyinfra;
  if (withFact && floor) {
    console.log(
      `    N=${n}: tsinfra awaiting a fact in deploy code / floor: first ${
        (withFact.first.wallMs / floor.first.wallMs).toFixed(2)
      }x, no-change ${(withFact.noChange.wallMs / floor.noChange.wallMs).toFixed(2)}x; ` +
        `round trips per host ${withFact.first.roundTripsPerHost}/${withFact.noChange.roundTripsPerHost}`,
    );
  }
  if (py && ts) {
    console.log(
      `    N=${n}: pyinfra / tsinfra: first ${(py.first.wallMs / ts.first.wallMs).toFixed(1)}x, ` +
        `no-change ${(py.noChange.wallMs / ts.noChange.wallMs).toFixed(1)}x`,
    );
  }
  if (ts && floor) {
    console.log(
      `    N=${n}: tsinfra / floor: first ${
        (ts.first.wallMs / floor.first.wallMs).toFixed(2)
      }x, no-change ${(ts.noChange.wallMs / floor.noChange.wallMs).toFixed(2)}x` +
        (tuned
          ? `; tuned Ansible / tsinfra (no-change): ${
            (tuned.noChange.wallMs / ts.noChange.wallMs).toFixed(1)
          }x`
          : ""),
    );
  }
}
console.log(JSON.stringify(results));
