/**
 * Facts read for real on this Debian machine (@local): dpkg's packages and
 * architecture, the hardware facts against what the kernel reports, pip and iptables
 * where installed. pyinfra's recorded outputs are the fixtures; these are live ones.
 */
import { Host } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { DebArch, DebPackage, DebPackages } from "../../src/facts/deb.ts";
import { BlockDevices, Cpus, Ipv4Addrs, Memory, NetworkDevices } from "../../src/facts/hardware.ts";
import { AptSources, parseAptRepo } from "../../src/facts/apt.ts";
import { parseIptablesRule } from "../../src/facts/iptables.ts";
import { parseInitStatuses } from "../../src/facts/sysvinit.ts";
import { assertEquals } from "../_assert.ts";

function local(): Host {
  return new Host({
    name: "@local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });
}

function check(condition: boolean, message: string): void {
  assertEquals(condition, true, message);
}

Deno.test("deb facts on this Debian machine: dpkg itself is installed, the arch is known", async () => {
  const host = local();
  const [packages, arch, dpkg] = await Promise.all([
    host.getFact(DebPackages),
    host.getFact(DebArch),
    host.getFact(DebPackage, { name: "dpkg" }),
  ]);
  check(Array.isArray(packages.dpkg) && packages.dpkg.length === 1, JSON.stringify(packages.dpkg));
  assertEquals(dpkg.name, "dpkg");
  assertEquals(dpkg.version, packages.dpkg[0]);
  const uname = new TextDecoder().decode(
    (await new Deno.Command("dpkg", { args: ["--print-architecture"] }).output()).stdout,
  ).trim();
  assertEquals(arch, uname);
  check(Array.isArray(await host.getFact(AptSources)), "AptSources is a list");
});

Deno.test("hardware facts on this machine agree with the kernel", async () => {
  const host = local();
  const [cpus, memory, devices, network, addrs] = await Promise.all([
    host.getFact(Cpus),
    host.getFact(Memory),
    host.getFact(BlockDevices),
    host.getFact(NetworkDevices),
    host.getFact(Ipv4Addrs),
  ]);
  assertEquals(cpus, navigator.hardwareConcurrency);
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const totalKb = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)![1]);
  assertEquals(memory, Math.round(totalKb / 1024));
  check(Object.values(devices).some((d) => d.mount === "/"), JSON.stringify(devices));
  check(network.lo?.ipv4?.address === "127.0.0.1", JSON.stringify(network.lo));
  assertEquals(addrs.lo, ["127.0.0.1"]);
});

Deno.test("parsers of outputs recorded from Debian 12 tools", () => {
  assertEquals(
    parseAptRepo(
      "deb [signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/debian bookworm stable",
    ),
    {
      options: { "signed-by": "/usr/share/keyrings/docker.gpg" },
      type: "deb",
      url: "https://download.docker.com/linux/debian",
      distribution: "bookworm",
      components: ["stable"],
    },
  );
  // iptables-save v1.8.9 (nf_tables) in the test fleet's image.
  assertEquals(parseIptablesRule("-A WEBAPP -p tcp -m tcp --dport 8000 -j ACCEPT"), {
    chain: "WEBAPP",
    protocol: "tcp",
    jump: "ACCEPT",
    extras: ["-m", "tcp", "--dport", "8000"],
  });
  // `/etc/init.d/X status` exit codes in the fleet image: cron stopped, nginx running, hwclock.sh unknown.
  assertEquals(parseInitStatuses(["cron=3", "nginx=0", "hwclock.sh=4"]), {
    cron: false,
    nginx: true,
  });
});
