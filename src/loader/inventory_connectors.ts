/**
 * Inventory connectors: `@terraform/OUTPUT_KEY` and `@vagrant[/VM]` on the command line
 * expand into SSH hosts, read from `terraform output -json` and from
 * `vagrant status --machine-readable` plus `vagrant ssh-config`, as pyinfra's connectors
 * of the same names do. Data keys are camelCased (`ssh_user` -> `sshUser`).
 *
 * @module
 */
import { ArgumentError } from "../core/errors.ts";
import type { HostDeclaration } from "../core/inventory.ts";

/** Runs a program on the controller and returns its stdout; throws with stderr on failure. */
export type ControllerShell = (argv: string[]) => Promise<string>;

/** Runs `argv` with the controller's PATH. */
export const runOnController: ControllerShell = async (argv) => {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ArgumentError(`${argv[0]} is not installed (needed by the @${argv[0]} inventory)`);
    }
    throw error;
  }
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!output.success) {
    throw new ArgumentError(
      `\`${argv.join(" ")}\` failed (exit status ${output.code}): ${decode(output.stderr).trim()}`,
    );
  }
  return decode(output.stdout);
};

function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function camelData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [camelKey(k), v]));
}

function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    }
  } else out[prefix] = value;
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "list" : typeof value;
}

/**
 * Hosts from a Terraform output: `key` is a dotted path into `terraform output -json`
 * whose value is a list of host names or of objects with `name` or `ssh_hostname`.
 *
 * @example
 * ```ts ignore
 * await terraformHosts("servers.value.ips"); // [{ name: "@terraform/1.2.3.4", ... }]
 * ```
 */
export async function terraformHosts(
  key: string,
  shell: ControllerShell = runOnController,
): Promise<HostDeclaration[]> {
  const raw = await shell(["terraform", "output", "-json"]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ArgumentError(`@terraform: \`terraform output -json\` did not print JSON: ${error}`);
  }
  const outputs = flatten(parsed);
  if (!(key in outputs)) {
    const keys = Object.keys(outputs).map((k) => `  - ${k}`).join("\n");
    throw new ArgumentError(
      `@terraform/${key}: no Terraform output with that key; valid keys:\n${keys}`,
    );
  }
  const value = outputs[key];
  if (!Array.isArray(value)) {
    throw new ArgumentError(`@terraform/${key}: the output must be a list, got ${typeName(value)}`);
  }
  return value.map((target, index) => {
    if (typeof target === "string") {
      return {
        name: `@terraform/${target}`,
        data: { sshHostname: target },
        groups: ["@terraform"],
      };
    }
    if (target && typeof target === "object" && !Array.isArray(target)) {
      const { name, ...rest } = target as Record<string, unknown>;
      const hostName = name ?? rest.ssh_hostname;
      if (typeof hostName !== "string" || !hostName) {
        throw new ArgumentError(
          `@terraform/${key}[${index}]: a host object needs a \`name\` or \`ssh_hostname\``,
        );
      }
      return { name: `@terraform/${hostName}`, data: camelData(rest), groups: ["@terraform"] };
    }
    throw new ArgumentError(
      `@terraform/${key}[${index}]: a host must be a string or an object, got ${typeName(target)}`,
    );
  });
}

/** `@vagrant.json` in the working folder: extra data and groups per VM. */
interface VagrantOptions {
  data?: Record<string, Record<string, unknown>>;
  groups?: Record<string, string[]>;
}

async function vagrantOptions(dir: string): Promise<VagrantOptions> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/@vagrant.json`)) as VagrantOptions;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw new ArgumentError(`${dir}/@vagrant.json: ${error}`);
  }
}

/** Parses `vagrant ssh-config` output into one record per `Host` block. */
export function parseVagrantSshConfig(text: string): Record<string, string>[] {
  const hosts: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) {
      current = undefined;
      continue;
    }
    const at = line.indexOf(" ");
    const [key, value] = at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1).trim()];
    if (key === "Host") hosts.push(current = { Host: value });
    else if (current) current[key] = value;
  }
  return hosts;
}

/**
 * Hosts for the running Vagrant VMs (all, or the one named), connected over SSH with
 * the settings `vagrant ssh-config` prints.
 *
 * @example
 * ```ts ignore
 * await vagrantHosts("web"); // [{ name: "@vagrant/web", data: { sshHostname: "127.0.0.1", ... } }]
 * ```
 */
export async function vagrantHosts(
  vm: string | undefined,
  shell: ControllerShell = runOnController,
  dir = Deno.cwd(),
): Promise<HostDeclaration[]> {
  const status = await shell(["vagrant", "status", "--machine-readable"]);
  const running: string[] = [];
  for (const line of status.split("\n")) {
    const parts = line.trim().split(",");
    if (parts.length < 4) continue;
    const [, target, type, data] = parts;
    if (vm !== undefined && target !== vm) continue;
    if (type === "state" && data === "running" && !running.includes(target)) running.push(target);
  }
  const configs = await Promise.all(running.map((t) => shell(["vagrant", "ssh-config", t])));
  const options = await vagrantOptions(dir);
  const hosts = configs.flatMap(parseVagrantSshConfig).map((config) => {
    const data: Record<string, unknown> = { sshHostname: config.HostName };
    if (config.Port) data.sshPort = Number(config.Port);
    if (config.User) data.sshUser = config.User;
    if (config.IdentityFile) data.sshKey = config.IdentityFile.replace(/^"(.*)"$/, "$1");
    Object.assign(data, camelData(options.data?.[config.Host] ?? {}));
    const groups = [...(options.groups?.[config.Host] ?? [])];
    if (!groups.includes("@vagrant")) groups.push("@vagrant");
    return { name: `@vagrant/${config.Host}`, data, groups };
  });
  if (!hosts.length) {
    throw new ArgumentError(
      vm
        ? `@vagrant/${vm}: no running Vagrant VM of that name`
        : "@vagrant: no running Vagrant VMs",
    );
  }
  return hosts;
}

/** Whether an inline inventory name is an inventory connector. */
export function isInventoryConnector(name: string): boolean {
  return /^@(terraform|vagrant)(\/|$)/.test(name);
}

/** Expands one inventory-connector name into its hosts. */
export async function expandInventoryConnector(
  name: string,
  shell: ControllerShell = runOnController,
): Promise<HostDeclaration[]> {
  const [kind, ...rest] = name.split("/");
  const arg = rest.join("/");
  if (kind === "@terraform") {
    if (!arg) {
      throw new ArgumentError("@terraform needs an output key, e.g. @terraform/servers.value");
    }
    return await terraformHosts(arg, shell);
  }
  return await vagrantHosts(arg || undefined, shell);
}
