/**
 * Hardware facts: CPUs (`hardware.Cpus`), memory in MB (`hardware.Memory`), block
 * devices (`hardware.BlockDevices`), network devices (`hardware.NetworkDevices`) and the
 * IPv4/IPv6 addresses derived from them (`Ipv4Addrs`, `Ipv6Addrs`, `Ipv4Addresses`,
 * `Ipv6Addresses`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";

/**
 * The number of online CPUs.
 *
 * @example
 * ```ts ignore
 * const cpus = await host.getFact(Cpus);
 * ```
 */
export const Cpus: Fact<number | null> = defineFact<number | null>({
  name: "hardware.Cpus",
  summary: "Returns the number of CPUs on this server.",
  command: "getconf NPROCESSORS_ONLN 2> /dev/null || getconf _NPROCESSORS_ONLN",
  process: (lines) => (/^\s*-?\d+\s*$/.test(lines[0] ?? "") ? parseInt(lines[0], 10) : null),
  default: () => null,
});

/**
 * Total memory in MB (`vmstat -s`, Linux and BSD formats).
 *
 * @example
 * ```ts ignore
 * const megabytes = await host.getFact(Memory);
 * ```
 */
export const Memory: Fact<number | null> = defineFact<number | null>({
  name: "hardware.Memory",
  summary: "Returns the memory installed in this server, in MB.",
  command: "vmstat -s",
  requiresCommand: "vmstat",
  process: (lines) => {
    const data: Record<string, number> = {};
    for (const raw of lines) {
      const line = raw.trim();
      const at = line.indexOf(" ");
      if (at < 0) continue;
      const value = line.slice(0, at);
      if (!/^-?\d+$/.test(value)) continue;
      data[line.slice(at + 1).trim()] = Number(value);
    }
    let total = data["K total memory"] ?? data["total memory"];
    if (!total && data["bytes per page"] && data["pages managed"]) {
      total = (data["pages managed"] * data["bytes per page"]) / 1024;
    }
    return total ? Math.round(total / 1024) : null;
  },
  default: () => null,
});

/** A mounted block device, as `df` prints it. */
export interface BlockDevice {
  blocks: string;
  used: string;
  available: string;
  used_percent: string;
  mount: string;
}

/**
 * Mounted block devices by device, from `df`.
 *
 * @example
 * ```ts ignore
 * const devices = await host.getFact(BlockDevices);
 * ```
 */
export const BlockDevices: Fact<Record<string, BlockDevice>> = defineFact<
  Record<string, BlockDevice>
>({
  name: "hardware.BlockDevices",
  summary: "Returns a dict of (mounted, Linux) block devices.",
  command: "df",
  process: (lines) => {
    const devices: Record<string, BlockDevice> = {};
    for (const line of lines) {
      const m =
        /^([a-zA-Z0-9/\-_]+)\s+([0-9]+)\s+([0-9]+)\s+([0-9]+)\s+([0-9]{1,3})%\s+([a-zA-Z/0-9\-_]+)/
          .exec(line);
      if (!m || m[1] === "none") continue;
      devices[m[1]] = {
        blocks: m[2],
        used: m[3],
        available: m[4],
        used_percent: m[5],
        mount: m[6],
      };
    }
    return devices;
  },
  default: () => ({}),
});

/** An address of a network device. */
export interface IpInfo {
  address: string;
  mask_bits: number;
  netmask?: string;
  broadcast?: string | null;
  additional_ips?: IpInfo[];
}

/** A network device. */
export interface NetworkDevice {
  ether?: string;
  mtu?: number;
  state: "UP" | "DOWN" | "UNKNOWN";
  ipv4?: IpInfo;
  ipv6?: IpInfo;
}

/** Bits and dotted netmask of `/24`, `0xffffff00` or `255.255.255.0`. */
function netmask(value: string): [number, string] {
  if (/^0x[0-9a-f]+$/i.test(value) || /^\d+$/.test(value)) {
    const bits = value.startsWith("0x")
      ? [...BigInt(value).toString(2)].filter((c) => c === "1").length
      : Number(value);
    // As pyinfra computes it: (0xFFFFFFFF << (32 - b) >> bits) & 0xFF for b in 24, 16, 8, 0.
    const octets = [24, 16, 8, 0].map((b) =>
      String((0xFFFFFFFFn << BigInt(32 - b)) >> BigInt(bits) & 0xFFn)
    );
    return [bits, octets.join(".")];
  }
  const bits = value.split(".").reduce(
    (sum, part) => sum + [...Number(part).toString(2)].filter((c) => c === "1").length,
    0,
  );
  return [bits, value];
}

function withAdditional(list: IpInfo[]): IpInfo {
  const [first, ...rest] = list;
  return rest.length ? { ...first, additional_ips: rest } : first;
}

/** Parses `ip addr show` or `ifconfig -a` output into devices. */
export function parseNetworkDevices(lines: readonly string[]): Record<string, NetworkDevice> {
  const text = lines.map((l) => l.trim()).join("\n");
  const devices: Record<string, NetworkDevice> = {};
  for (const section of text.split(/\n(?=\d+: \w|\w+:.*mtu.*)/)) {
    const name = /^(?:\d+: )?([\w@]+):/.exec(section)?.[1];
    if (!name) continue;
    const device: NetworkDevice = {
      state: section.includes("UP") ? "UP" : section.includes("DOWN") ? "DOWN" : "UNKNOWN",
    };
    const ether = /([0-9A-Fa-f:]{17})/.exec(section);
    if (ether) device.ether = ether[1];
    const mtu = /mtu (\d+)/.exec(section);
    if (mtu) device.mtu = Number(mtu[1]);
    const ipv4Patterns = [
      // `brd` is optional: pyinfra requires it and so misses addresses such as loopback's.
      /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)(?: brd (\d+\.\d+\.\d+\.\d+))?/g,
      /inet (\d+\.\d+\.\d+\.\d+)\s+netmask\s+((?:\d+\.\d+\.\d+\.\d+)|(?:[0-9a-fA-FxX]+))(?:\s+broadcast\s+(\d+\.\d+\.\d+\.\d+))/g,
    ];
    for (const pattern of ipv4Patterns) {
      const matches = [...section.matchAll(pattern)];
      if (!matches.length) continue;
      device.ipv4 = withAdditional(matches.map((m) => {
        const [bits, mask] = netmask(m[2]);
        return { address: m[1], mask_bits: bits, netmask: mask, broadcast: m[3] ?? null };
      }));
      break;
    }
    for (
      const pattern of [
        /inet6\s+([0-9a-fA-F:]+)\/(\d+)/g,
        /inet6\s+([0-9a-fA-F:]+)\s+prefixlen\s+(\d+)/g,
      ]
    ) {
      const matches = [...section.matchAll(pattern)];
      if (!matches.length) continue;
      device.ipv6 = withAdditional(
        matches.map((m) => ({ address: m[1], mask_bits: Number(m[2]) })),
      );
      break;
    }
    devices[name] = device;
  }
  return devices;
}

const NETWORK_COMMAND = "ip addr show 2> /dev/null || ifconfig -a";

/**
 * Network devices with their MAC address, MTU, state and addresses.
 *
 * @example
 * ```ts ignore
 * const devices = await host.getFact(NetworkDevices);
 * devices.eth0?.ipv4?.address;
 * ```
 */
export const NetworkDevices: Fact<Record<string, NetworkDevice>> = defineFact<
  Record<string, NetworkDevice>
>({
  name: "hardware.NetworkDevices",
  summary: "Gets & returns a dict of network devices.",
  command: NETWORK_COMMAND,
  process: parseNetworkDevices,
  default: () => ({}),
});

function addressesFact<T>(
  name: string,
  summary: string,
  pick: (info: IpInfo) => T,
): Fact<Record<string, T>> {
  const type = name.includes("Ipv6") ? "ipv6" : "ipv4";
  return defineFact<Record<string, T>>({
    name,
    summary,
    command: NETWORK_COMMAND,
    process: (lines) => {
      const out: Record<string, T> = {};
      for (const [device, details] of Object.entries(parseNetworkDevices(lines))) {
        const info = details[type];
        if (info?.address) out[device] = pick(info);
      }
      return out;
    },
    default: () => ({}),
  });
}

const allAddresses = (info: IpInfo) => [
  info.address,
  ...(info.additional_ips ?? []).map((i) => i.address),
];

/**
 * Every IPv4 address by device.
 *
 * @example
 * ```ts ignore
 * const addrs = await host.getFact(Ipv4Addrs); // { eth0: ["10.0.0.2"] }
 * ```
 */
export const Ipv4Addrs: Fact<Record<string, string[]>> = addressesFact(
  "hardware.Ipv4Addrs",
  "Gets & returns a dict of network interface -> [IPv4 addresses].",
  allAddresses,
);

/** Every IPv6 address by device. */
export const Ipv6Addrs: Fact<Record<string, string[]>> = addressesFact(
  "hardware.Ipv6Addrs",
  "Gets & returns a dict of network interface -> [IPv6 addresses].",
  allAddresses,
);

/**
 * The first IPv4 address of each device.
 *
 * @example
 * ```ts ignore
 * const first = await host.getFact(Ipv4Addresses); // { eth0: "10.0.0.2" }
 * ```
 */
export const Ipv4Addresses: Fact<Record<string, string>> = addressesFact(
  "hardware.Ipv4Addresses",
  "Gets & returns a dict of network interface -> IPv4 address.",
  (info) => info.address,
);

/** The first IPv6 address of each device. */
export const Ipv6Addresses: Fact<Record<string, string>> = addressesFact(
  "hardware.Ipv6Addresses",
  "Gets & returns a dict of network interface -> IPv6 address.",
  (info) => info.address,
);
