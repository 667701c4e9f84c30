/**
 * The sshd test fleet from TypeScript: brings a fleet up with `scripts/fleet.sh` in a
 * temporary state folder, and registers integration tests that need docker (skipped
 * loudly without it, failed under `CI=true`).
 *
 * @module
 */
import * as path from "node:path";

const SCRIPT = path.join(import.meta.dirname!, "..", "fleet.sh");

/** One host of a running fleet. */
export interface FleetHost {
  /** `fleet-1`, `fleet-2`, ... */
  name: string;
  container: string;
  /** sshd's port on 127.0.0.1. */
  port: number;
  /** The container's address on the docker network (for jump host tests). */
  address: string;
}

/** What `scripts/fleet.sh up` wrote to `fleet.json`. */
interface FleetFile {
  name: string;
  key: string;
  knownHosts: string;
  deploypwPassword: string;
  hosts: FleetHost[];
}

/** A running fleet. `hosts` is brought up to date by `recreate`. */
export interface Fleet extends FleetFile {
  /** The state folder: key pair, password, inventory.ts, known_hosts. */
  dir: string;
  /** The inventory file written for the fleet. */
  inventory: string;
  /** Milliseconds `up` took. */
  upMs: number;
  /** Replaces host `index` (1-based) by a new container on the same port: new host keys. */
  recreate(index: number): Promise<void>;
  /** Removes the fleet's containers and its state folder. */
  down(): Promise<void>;
}

async function run(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command("bash", {
    args: [SCRIPT, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!output.success) {
    throw new Error(`scripts/fleet.sh ${args.join(" ")} failed:\n${text(output.stderr)}`);
  }
  return text(output.stdout);
}

/**
 * Starts `count` sshd containers in a fleet of its own (named after this process), its
 * state in a temporary folder.
 *
 * @example
 * ```ts ignore
 * const fleet = await fleetUp(2);
 * try { ... } finally { await fleet.down(); }
 * ```
 */
export async function fleetUp(
  count: number,
  options: { dockerArgs?: string[] } = {},
): Promise<Fleet> {
  await reapOrphans();
  const name = `test-${Deno.pid}-${Math.floor(Math.random() * 1e6)}`;
  const parent = await Deno.realPath(
    await Deno.makeTempDir({ prefix: `tsinfra-fleet-${name}-` }),
  );
  const dir = path.join(parent, "state");
  const env: Record<string, string> = { TSINFRA_FLEET_DIR: dir };
  // Extra `docker run` arguments for every host (word-split by the script: no spaces inside).
  if (options.dockerArgs?.length) env.TSINFRA_FLEET_DOCKER_ARGS = options.dockerArgs.join(" ");
  const down = async () => {
    try {
      await run(["down", "--name", name], env);
    } finally {
      await Deno.remove(parent, { recursive: true }).catch(() => {});
    }
  };
  const started = performance.now();
  try {
    const inventory = (await run(["up", String(count), "--name", name], env)).trim();
    const upMs = performance.now() - started;
    const read = async () =>
      JSON.parse(await Deno.readTextFile(path.join(dir, "fleet.json"))) as FleetFile;
    const fleet: Fleet = {
      ...await read(),
      dir,
      inventory,
      upMs,
      recreate: async (index: number) => {
        await run(["recreate", String(index), "--name", name], env);
        // A new container may have a new address on the docker network.
        fleet.hosts = (await read()).hosts;
      },
      down,
    };
    return fleet;
  } catch (error) {
    await down().catch(() => {});
    throw error;
  }
}

/**
 * Removes test fleets whose process is gone: a test run that was killed, or whose event
 * loop ended with a promise pending, never reached its `finally`.
 */
async function reapOrphans(): Promise<void> {
  const listed = await new Deno.Command("docker", {
    args: ["ps", "-a", "--filter", "label=tsinfra-fleet", "--format", '{{.Label "tsinfra-fleet"}}'],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  const names = new Set(new TextDecoder().decode(listed?.stdout ?? new Uint8Array()).split("\n"));
  // Where Deno.makeTempDir puts folders on Unix.
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  for await (const entry of Deno.readDir(tmp)) {
    const match = /^tsinfra-fleet-(test-\d+-\d+)-/.exec(entry.name);
    if (match && entry.isDirectory) names.add(match[1]);
  }
  for (const name of names) {
    const pid = /^test-(\d+)-\d+$/.exec(name)?.[1];
    if (!pid || pid === String(Deno.pid) || await isAlive(Number(pid))) continue;
    await run(["down", "--name", name]).catch(() => {});
    for await (const entry of Deno.readDir(tmp)) {
      if (entry.name.startsWith(`tsinfra-fleet-${name}-`)) {
        await Deno.remove(path.join(tmp, entry.name), { recursive: true }).catch(() => {});
      }
    }
  }
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Whether docker can run the fleet here, and why not. */
export async function dockerStatus(): Promise<{ available: boolean; reason: string }> {
  const ok = async (program: string, args: string[]) => {
    try {
      return (await new Deno.Command(program, { args, stdout: "null", stderr: "null" }).output())
        .success;
    } catch {
      return false;
    }
  };
  if (await ok("docker", ["info"])) return { available: true, reason: "" };
  const root = Deno.uid() === 0;
  if (root && await ok("sh", ["-c", "command -v dockerd"])) {
    return { available: true, reason: "" };
  }
  return {
    available: false,
    reason: root
      ? "docker is not installed (apt-get install -y docker.io debootstrap)"
      : "the docker daemon is not reachable and we are not root to start it",
  };
}

/**
 * Registers a test that needs the docker fleet. Without docker it is reported as
 * ignored with a loud notice, or fails when `CI=true`.
 *
 * @param name the test's name; " (requires docker)" is appended
 */
export async function dockerTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): Promise<void> {
  const full = `${name} (requires docker)`;
  const status = await dockerStatus();
  if (status.available) {
    Deno.test(full, fn);
    return;
  }
  if (Deno.env.get("CI") === "true") {
    Deno.test(full, () => {
      throw new Error(`CI=true but docker is not available: ${status.reason}`);
    });
    return;
  }
  console.error(
    `\n!!! SKIPPED: "${full}": ${status.reason}.\n!!! These integration tests did not run.\n`,
  );
  Deno.test({ name: `${full}: SKIPPED, ${status.reason}`, ignore: true, fn });
}

const SYSTEMD_IMAGE = "tsinfra-systemd:bookworm";

async function docker(args: string[]): Promise<string> {
  const output = await new Deno.Command("docker", { args, stdin: "null" }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!output.success) throw new Error(`docker ${args[0]}: ${text(output.stderr).trim()}`);
  return text(output.stdout).trim();
}

/**
 * The fleet image plus systemd, built once (apt from Debian's mirror, then `docker
 * commit`), for tests of init-system operations against a real systemd.
 */
export async function systemdImage(): Promise<string> {
  try {
    await docker(["image", "inspect", SYSTEMD_IMAGE]);
    return SYSTEMD_IMAGE;
  } catch {
    // build it below
  }
  await run(["image"]);
  const id = await docker(["run", "-d", "tsinfra-fleet:bookworm", "sleep", "infinity"]);
  try {
    await docker([
      "exec",
      "-e",
      "DEBIAN_FRONTEND=noninteractive",
      id,
      "sh",
      "-c",
      "apt-get update -qq && apt-get install -y -qq systemd systemd-sysv dbus >/dev/null",
    ]);
    await docker(["commit", "--change", 'CMD ["/lib/systemd/systemd"]', id, SYSTEMD_IMAGE]);
  } finally {
    await docker(["rm", "-f", id]);
  }
  return SYSTEMD_IMAGE;
}

/**
 * Starts a container whose PID 1 is systemd (CAP_SYS_ADMIN, its own cgroup namespace,
 * /run on tmpfs) and waits until systemd answers; returns the container id. `extraArgs`
 * go to `docker run` (e.g. `--cap-add NET_ADMIN` for iptables).
 *
 * @example
 * ```ts ignore
 * const id = await startSystemdContainer();
 * try { ... @docker/${id} ... } finally { await removeContainer(id); }
 * ```
 */
export async function startSystemdContainer(extraArgs: string[] = []): Promise<string> {
  const image = await systemdImage();
  const id = await docker([
    "run",
    "-d",
    ...extraArgs,
    "--cap-add",
    "SYS_ADMIN",
    "--cgroupns=private",
    "--tmpfs",
    "/run",
    "--tmpfs",
    "/run/lock",
    image,
  ]);
  for (let i = 0; i < 100; i++) {
    // Exit status 1 with "degraded" is fine: some units of a container cannot start.
    const probe = await new Deno.Command("docker", {
      args: ["exec", id, "systemctl", "is-system-running"],
      stdin: "null",
      stderr: "null",
    }).output();
    const state = new TextDecoder().decode(probe.stdout);
    if (/running|degraded/.test(state)) return id;
    await new Promise((r) => setTimeout(r, 200));
  }
  await removeContainer(id);
  throw new Error("systemd did not start in its container");
}

/** Removes a container started by a test. */
export async function removeContainer(id: string): Promise<void> {
  await docker(["rm", "-f", id]).catch(() => {});
}
