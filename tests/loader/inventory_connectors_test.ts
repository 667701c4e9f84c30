/**
 * `@terraform` and `@vagrant` inventories. Neither tool can be installed on this
 * machine, so these tests put stand-in `terraform` / `vagrant` executables on PATH that
 * print recorded outputs of the real tools; the hosts they list are real sshd servers
 * of the test fleet, and a deploy runs on them over SSH.
 */
import * as path from "node:path";
import { assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import {
  parseVagrantSshConfig,
  terraformHosts,
  vagrantHosts,
} from "../../src/loader/inventory_connectors.ts";
import { stripColours } from "../../src/cli/style.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

/** `terraform output -json` of a module with a list of IPs and a list of host objects. */
const TERRAFORM_OUTPUT = {
  server_group: {
    sensitive: false,
    type: ["object", {}],
    value: {
      node_ips: ["10.0.0.1", "10.0.0.2"],
      nodes: [{ name: "db", ssh_hostname: "10.0.0.9", ssh_user: "admin" }],
      count: 2,
    },
  },
};

/** Recorded `vagrant status --machine-readable` (Vagrant 2.3). */
const VAGRANT_STATUS = `1700000000,web,metadata,provider,virtualbox
1700000000,web,provider-name,virtualbox
1700000000,web,state,running
1700000000,web,state-human-short,running
1700000000,db,metadata,provider,virtualbox
1700000000,db,state,poweroff
1700000000,,ui,info,Current machine states:
`;

/** Recorded `vagrant ssh-config web`. */
const VAGRANT_SSH_CONFIG = `Host web
  HostName 127.0.0.1
  User vagrant
  Port 2222
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  PasswordAuthentication no
  IdentityFile "/home/me/project/.vagrant/machines/web/virtualbox/private_key"
  IdentitiesOnly yes
  LogLevel FATAL

`;

const recorded = (outputs: Record<string, string>) => (argv: string[]) => {
  const key = argv.join(" ");
  if (!(key in outputs)) return Promise.reject(new Error(`unexpected command: ${key}`));
  return Promise.resolve(outputs[key]);
};

Deno.test("@terraform (stand-in: terraform is not installed here): lists of names and of objects", async () => {
  const shell = recorded({ "terraform output -json": JSON.stringify(TERRAFORM_OUTPUT) });
  assertEquals(await terraformHosts("server_group.value.node_ips", shell), [
    { name: "@terraform/10.0.0.1", data: { sshHostname: "10.0.0.1" }, groups: ["@terraform"] },
    { name: "@terraform/10.0.0.2", data: { sshHostname: "10.0.0.2" }, groups: ["@terraform"] },
  ]);
  assertEquals(await terraformHosts("server_group.value.nodes", shell), [
    {
      name: "@terraform/db",
      data: { sshHostname: "10.0.0.9", sshUser: "admin" },
      groups: ["@terraform"],
    },
  ]);
});

Deno.test("@terraform (stand-in): a missing key lists the valid ones; a non-list is refused", async () => {
  const shell = recorded({ "terraform output -json": JSON.stringify(TERRAFORM_OUTPUT) });
  const missing = await assertRejects(() => terraformHosts("server_group.ips", shell));
  assertMatch(
    (missing as Error).message,
    /@terraform\/server_group\.ips: no Terraform output with that key; valid keys:\n {2}- server_group\.sensitive\n[^]*- server_group\.value\.node_ips/,
  );
  const notList = await assertRejects(() => terraformHosts("server_group.value.count", shell));
  assertEquals(
    (notList as Error).message,
    "@terraform/server_group.value.count: the output must be a list, got number",
  );
});

Deno.test("@vagrant (stand-in: vagrant is not installed here): running VMs with their SSH settings", async () => {
  const shell = recorded({
    "vagrant status --machine-readable": VAGRANT_STATUS,
    "vagrant ssh-config web": VAGRANT_SSH_CONFIG,
  });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      path.join(dir, "@vagrant.json"),
      JSON.stringify({ data: { web: { app_port: 8080 } }, groups: { web: ["webservers"] } }),
    );
    assertEquals(await vagrantHosts(undefined, shell, dir), [{
      name: "@vagrant/web",
      data: {
        sshHostname: "127.0.0.1",
        sshPort: 2222,
        sshUser: "vagrant",
        sshKey: "/home/me/project/.vagrant/machines/web/virtualbox/private_key",
        appPort: 8080,
      },
      groups: ["webservers", "@vagrant"],
    }]);
    const none = await assertRejects(() => vagrantHosts("db", shell, dir));
    assertEquals((none as Error).message, "@vagrant/db: no running Vagrant VM of that name");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(parseVagrantSshConfig(VAGRANT_SSH_CONFIG)[0].Port, "2222");
});

async function tsinfra(cwd: string, pathDir: string, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", path.join(ROOT, "cli.ts"), ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1", PATH: `${pathDir}:${Deno.env.get("PATH")}` },
  }).output();
  const text = (b: Uint8Array) => stripColours(new TextDecoder().decode(b));
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

await dockerTest(
  "@terraform and @vagrant inventories (stand-in executables) deploy to real sshd hosts",
  async () => {
    const fleet = await fleetUp(2);
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-inventory-connectors-" });
    try {
      const bin = path.join(dir, "bin");
      await Deno.mkdir(bin);
      const [one, two] = fleet.hosts;
      const common = {
        ssh_hostname: "127.0.0.1",
        ssh_user: "root",
        ssh_key: fleet.key,
        ssh_known_hosts_file: fleet.knownHosts,
      };
      const output = {
        fleet: { value: [{ name: one.name, ssh_port: one.port, ...common }] },
      };
      // Stand-ins: print what the real tools print for this project.
      await Deno.writeTextFile(
        path.join(bin, "terraform"),
        `#!/bin/sh\n[ "$*" = "output -json" ] || exit 3\ncat <<'EOF'\n${
          JSON.stringify(output)
        }\nEOF\n`,
      );
      await Deno.writeTextFile(
        path.join(bin, "vagrant"),
        `#!/bin/sh
case "$*" in
  "status --machine-readable") printf '1,${two.name},state,running\\n1,other,state,poweroff\\n' ;;
  "ssh-config ${two.name}") printf 'Host ${two.name}\\n  HostName 127.0.0.1\\n  User root\\n  Port ${two.port}\\n  IdentityFile "${fleet.key}"\\n\\n' ;;
  *) exit 3 ;;
esac
`,
      );
      await Deno.chmod(path.join(bin, "terraform"), 0o755);
      await Deno.chmod(path.join(bin, "vagrant"), 0o755);
      await Deno.writeTextFile(
        path.join(dir, "@vagrant.json"),
        JSON.stringify({ data: { [two.name]: { ssh_known_hosts_file: fleet.knownHosts } } }),
      );
      await Deno.writeTextFile(
        path.join(dir, "deploy.ts"),
        `import { files, host } from "tsinfra";\nfiles.line({ path: "/tmp/inventory-connector", line: host.name });\n`,
      );
      for (const inventory of ["@terraform/fleet.value", "@vagrant"]) {
        const first = await tsinfra(dir, bin, [inventory, "deploy.ts", "-y", "--json"]);
        assertEquals(first.code, 0, first.stderr);
        const report = JSON.parse(first.stdout);
        assertEquals(report.totals.changed, 1, first.stdout);
        const second = await tsinfra(dir, bin, [inventory, "deploy.ts", "-y", "--json"]);
        assertEquals(JSON.parse(second.stdout).totals.changed, 0);
      }
      const container = (index: number) => fleet.hosts[index].container;
      for (const [index, name] of [[0, "@terraform/fleet-1"], [1, "@vagrant/fleet-2"]] as const) {
        const cat = await new Deno.Command("docker", {
          args: ["exec", container(index), "cat", "/tmp/inventory-connector"],
        }).output();
        assertEquals(new TextDecoder().decode(cat.stdout), `${name}\n`);
      }
      const bad = await tsinfra(dir, bin, ["@terraform/nope", "deploy.ts", "-y"]);
      assertEquals(bad.code, 2);
      assertMatch(bad.stderr, /@terraform\/nope: no Terraform output with that key/);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await fleet.down();
    }
  },
);
