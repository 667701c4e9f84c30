/**
 * Server facts read for real on this machine, and parsers on recorded outputs.
 */
import { Host } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import {
  Arch,
  Date as HostDate,
  Groups,
  Kernel,
  LinuxDistribution,
  LinuxName,
  Users,
  Which,
} from "../../src/facts/server.ts";
import { parseDistribution } from "../../src/facts/server/distribution.ts";
import { assertEquals } from "../_assert.ts";

const host = () =>
  new Host({
    name: "local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });

Deno.test("server facts read this Debian machine", async () => {
  const h = host();
  const [kernel, arch, name, distribution, groups, users, sh, now] = await Promise.all([
    h.getFact(Kernel),
    h.getFact(Arch),
    h.getFact(LinuxName),
    h.getFact(LinuxDistribution),
    h.getFact(Groups),
    h.getFact(Users),
    h.getFact(Which, { command: "sh" }),
    h.getFact(HostDate),
  ]);
  assertEquals(kernel, "Linux");
  assertEquals(typeof arch, "string");
  assertEquals(name, "Debian");
  assertEquals(distribution.major, 12);
  assertEquals(distribution.release_meta.CODENAME, "bookworm");
  assertEquals(groups.includes("root"), true);
  assertEquals(users.root.uid, 0);
  assertEquals(users.root.home, "/root");
  assertEquals(sh?.endsWith("/sh"), true);
  assertEquals(Math.abs(now.getTime() - Date.now()) < 60_000, true);
  assertEquals(h.stats.roundTrips, 1);
});

Deno.test("LinuxDistribution reads Debian's os-release", () => {
  const info = parseDistribution([
    "/etc/os-release",
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    'NAME="Debian GNU/Linux"',
    'VERSION_ID="12"',
    'VERSION="12 (bookworm)"',
    "VERSION_CODENAME=bookworm",
    "ID=debian",
    "---",
  ]);
  assertEquals([info.name, info.major, info.minor, info.release_meta.CODENAME], [
    "Debian",
    12,
    null,
    "bookworm",
  ]);
});
