/**
 * The benchmark's light mode for large N: sshd of ours in one container sharing the
 * host's network namespace, listening on 127.0.0.1 only, on one port per "host" (one
 * sshd process per 16 ports: OpenSSH listens on at most 16 sockets).
 * Key-only root login; MaxStartups and MaxSessions raised. Started and removed by PID
 * of its container (label tsinfra-bench-light).
 *
 * @module
 */
import * as path from "node:path";

/** A light fleet: what the benchmark needs of a fleet. */
export interface LightFleet {
  inventory: string;
  key: string;
  knownHosts: string;
  hosts: { name: string; port: number }[];
  down(): Promise<void>;
}

const IMAGE = "tsinfra-fleet:bookworm";

async function run(program: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(program, { args, stdin: "null", stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`${program} ${args[0]}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout).trim();
}

function freePorts(count: number): number[] {
  const ports: number[] = [];
  for (let port = 41000; ports.length < count && port < 60000; port++) {
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      ports.push(port);
    } catch {
      // taken: try the next one
    }
  }
  return ports;
}

/** Starts one sshd on `count` ports of 127.0.0.1. */
export async function lightUp(count: number): Promise<LightFleet> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-light-" });
  const key = path.join(dir, "id_ed25519");
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const publicKey = await Deno.readTextFile(`${key}.pub`);
  const ports = freePorts(count);
  const config = [
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "UseDNS no",
    "MaxStartups 1000:30:1000",
    "MaxSessions 1000",
  ].join("\n");
  const daemons: string[] = [];
  for (let i = 0; i < ports.length; i += 16) {
    daemons.push(ports.slice(i, i + 16).map((p) => `-o ListenAddress=127.0.0.1:${p}`).join(" "));
  }
  const script = `set -e; ssh-keygen -A >/dev/null; mkdir -p /root/.ssh /run/sshd; ` +
    `printf '%s\\n' "$KEY" > /root/.ssh/authorized_keys; chmod 700 /root/.ssh; chmod 600 /root/.ssh/authorized_keys; ` +
    `printf '%s\\n' "$CONFIG" > /etc/ssh/sshd_config.d/light.conf; ` +
    daemons.slice(0, -1).map((d) => `/usr/sbin/sshd -o PidFile=none ${d}; `).join("") +
    `exec /usr/sbin/sshd -D -e ${daemons[daemons.length - 1]}`;
  const container = await run("docker", [
    "run",
    "-d",
    "--label",
    "tsinfra-bench-light",
    "--network",
    "host",
    "-e",
    `KEY=${publicKey.trim()}`,
    "-e",
    `CONFIG=${config}`,
    "--entrypoint",
    "sh",
    IMAGE,
    "-c",
    script,
  ]);
  const down = async () => {
    await new Deno.Command("docker", {
      args: ["rm", "-f", container],
      stdout: "null",
      stderr: "null",
    }).output();
    await Deno.remove(dir, { recursive: true });
  };
  // Wait until the last port answers.
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port: ports[ports.length - 1] })).close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const knownHosts = path.join(dir, "known_hosts");
  const hosts = ports.map((port, i) => ({ name: `light-${i + 1}`, port }));
  const inventory = path.join(dir, "inventory.ts");
  await Deno.writeTextFile(
    inventory,
    `const key = ${JSON.stringify(key)};\nconst knownHosts = ${
      JSON.stringify(knownHosts)
    };\nexport const light = [\n` +
      hosts.map((h) =>
        `  ["${h.name}", { sshHostname: "127.0.0.1", sshPort: ${h.port}, sshUser: "root", sshKey: key, sshKnownHostsFile: knownHosts, benchRoot: "/tmp/tsinfra-bench-light/${h.name}" }],`
      ).join("\n") + "\n];\n",
  );
  return { inventory, key, knownHosts, hosts, down };
}
