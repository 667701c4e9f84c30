/**
 * Server facts: parsers on outputs the fixtures do not cover, the exact commands, and
 * the commands run for real on this Debian machine (through the local connector and
 * through plain `sh -c`).
 */
import { Host, splitLines } from "../../src/core/host.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import { ZonedDate } from "../../src/core/zoned_date.ts";
import {
  Arch,
  Command,
  Crontab,
  Date as HostDate,
  Groups,
  HasGui,
  Home,
  Hostname,
  Kernel,
  KernelModules,
  LinuxDistribution,
  LinuxGui,
  LinuxName,
  Locales,
  LsbRelease,
  MacosVersion,
  Mounts,
  SecurityLimits,
  Selinux,
  Sysctl,
  Users,
  Which,
} from "../../src/facts/server.ts";
import { parseDistribution } from "../../src/facts/server/distribution.ts";
import { parseLastlog } from "../../src/facts/server/users.ts";
import { assertEquals } from "../_assert.ts";

const host = () =>
  new Host({
    name: "local",
    groups: [],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });

/** Runs a fact's full command with `sh -c` and parses it as the engine would. */
async function viaSh<T, A extends FactArgs>(fact: Fact<T, A>, args: A): Promise<T> {
  const out = await new Deno.Command("sh", {
    args: ["-c", fact.hostCommand(args).raw()],
    stdout: "piped",
    stderr: "null",
  }).output();
  const lines = splitLines(new TextDecoder().decode(out.stdout));
  return lines.length ? fact.process(lines, args) : fact.defaultValue();
}

async function shOut(command: string): Promise<string> {
  const out = await new Deno.Command("sh", { args: ["-c", command], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

const userLine = (entry: string, rest: string) => `${entry}|${rest}`;

Deno.test("server.Users keeps secondary groups only and reads the password hash", () => {
  const users = Users.process([
    userLine(
      "deploy:x:1000:1000:Deploy,,,:/home/deploy:/bin/bash",
      "deploy|deploy sudo docker||$6$h",
    ),
    userLine("nobody:x:65534:65534::/nonexistent:", "nogroup|nogroup||*"),
  ], {});
  assertEquals(users.deploy, {
    home: "/home/deploy",
    comment: "Deploy,,,",
    shell: "/bin/bash",
    group: "deploy",
    groups: ["sudo", "docker"],
    uid: 1000,
    gid: 1000,
    lastlog: null,
    login_time: null,
    password: "$6$h",
  });
  assertEquals([users.nobody.comment, users.nobody.shell, users.nobody.groups], [null, null, []]);
});

Deno.test("server.Users reads lastlog times with and without a UTC offset", () => {
  const zoned = parseLastlog("Sat Jun  5 12:03:23 -0600 2021");
  assertEquals(zoned instanceof ZonedDate, true);
  assertEquals(zoned?.toJSON(), "2021-06-05T12:03:23-06:00");
  assertEquals(zoned?.toISOString(), "2021-06-05T18:03:23.000Z");
  assertEquals(parseLastlog("Thu Aug 31 05:37:58 2023")?.toISOString(), "2023-08-31T05:37:58.000Z");
  assertEquals(parseLastlog("**Never logged in**"), null);
  const users = Users.process([
    userLine(
      "ops:x:1001:1001::/home/ops:/bin/sh",
      "ops|ops|ops pts/0 10.0.0.1 Thu Aug 31 05:37:58 +0000 2023|!",
    ),
  ], {});
  assertEquals(users.ops.lastlog, "Thu Aug 31 05:37:58 +0000 2023");
  assertEquals(users.ops.login_time?.toISOString(), "2023-08-31T05:37:58.000Z");
});

Deno.test("server.Mounts reads Linux, BSD and macOS automount lines", () => {
  assertEquals(
    Mounts.process([
      "/dev/sda1 on /boot type ext4 (rw,relatime)",
      "/dev/disk1s1 on / (apfs, local, journaled)",
      "map auto_home on /System/Volumes/Data/home (autofs, automounted, nobrowse)",
    ], {}),
    {
      "/boot": { device: "/dev/sda1", type: "ext4", options: ["rw", "relatime"] },
      "/": { device: "/dev/disk1s1", type: "apfs", options: ["local", "journaled"] },
      "/System/Volumes/Data/home": {
        device: "map auto_home",
        type: "autofs",
        options: ["automounted", "nobrowse"],
      },
    },
  );
});

Deno.test("server.KernelModules lists dependencies only when there are some", () => {
  assertEquals(
    KernelModules.process([
      "nf_nat 49152 2 xt_MASQUERADE,nft_chain_nat, Live 0x0000000000000000",
      "loop 32768 0 - Live 0x0000000000000000",
    ], {}),
    {
      nf_nat: {
        size: "49152",
        instances: 2,
        state: "Live",
        depends: ["xt_MASQUERADE", "nft_chain_nat"],
      },
      loop: { size: "32768", instances: 0, state: "Live" },
    },
  );
});

Deno.test("server.Sysctl turns numbers into ints and lists, keeps other text", () => {
  assertEquals(
    Sysctl.process([
      "vm.swappiness = 60",
      "fs.inode-state = 44565 360 0",
      "kernel.core_pattern = |/usr/lib/systemd/systemd-coredump %P",
      "kern.ostype: Darwin",
      "net.empty = ",
      "no separator",
    ], {}),
    {
      "vm.swappiness": 60,
      "fs.inode-state": [44565, 360, 0],
      "kernel.core_pattern": "|/usr/lib/systemd/systemd-coredump %P",
      "kern.ostype": "Darwin",
      "net.empty": "",
    },
  );
});

Deno.test("server.Sysctl asks for all keys or the given ones, quoted", () => {
  assertEquals(Sysctl.command({}).raw(), "sysctl -a");
  assertEquals(Sysctl.command({ keys: null }).raw(), "sysctl -a");
  assertEquals(
    Sysctl.command({ keys: ["vm.swappiness", "a b"] }).raw(),
    "sysctl vm.swappiness 'a b'",
  );
});

Deno.test("server.Crontab keeps comments, special times and commands with spaces", () => {
  assertEquals(
    Crontab.process([
      "# m h dom mon dow command",
      "",
      "*/5 0 1 * MON   /usr/bin/backup --all  now",
      "@reboot /bin/start it",
      "  0 3 * * * echo $(date) > /tmp/x  ",
    ], {}),
    {
      "/usr/bin/backup --all  now": {
        minute: "*/5",
        hour: 0,
        day_of_month: 1,
        month: "*",
        day_of_week: "MON",
        comments: ["# m h dom mon dow command", ""],
      },
      "/bin/start it": { special_time: "@reboot", comments: [] },
      "echo $(date) > /tmp/x": {
        minute: 0,
        hour: 3,
        day_of_month: "*",
        month: "*",
        day_of_week: "*",
        comments: [],
      },
    },
  );
  assertEquals(Crontab.command({}).raw(), "crontab -l || true");
  assertEquals(Crontab.command({ user: "deploy" }).raw(), "crontab -l -u deploy || true");
  assertEquals(Crontab.command({ user: "a; b" }).raw(), "crontab -l -u 'a; b' || true");
  assertEquals(Crontab.requiresCommand({}), "crontab");
});

Deno.test("server.SecurityLimits skips comments and blank lines", () => {
  assertEquals(
    SecurityLimits.process(
      ["# <domain> <type> <item> <value>", "   ", "*  soft  nofile  1024"],
      {},
    ),
    [{ domain: "*", limit_type: "soft", item: "nofile", value: "1024" }],
  );
});

Deno.test("server.LsbRelease keys each value by the label's last word", () => {
  assertEquals(
    LsbRelease.process([
      "No LSB modules are available.",
      "Distributor ID:\tDebian",
      "Description:\tDebian GNU/Linux 12 (bookworm)",
      "Release:\t12",
      "Codename:\tbookworm",
    ], {}),
    {
      id: "Debian",
      description: "Debian GNU/Linux 12 (bookworm)",
      release: "12",
      codename: "bookworm",
    },
  );
  assertEquals(LsbRelease.defaultValue(), null);
});

Deno.test("server small parsers: Locales, Selinux, LinuxGui, HasGui, Groups, Date", () => {
  assertEquals(Locales.process(["C.utf8", "en_US.utf8", "POSIX"], {}), [
    "C.UTF-8",
    "en_US.UTF-8",
    "POSIX",
  ]);
  assertEquals(Selinux.process(["SELinux status:                 disabled"], {}), {
    mode: "disabled",
  });
  assertEquals(Selinux.process(["something else"], {}), { mode: null });
  const guis = ["/usr/bin/dbus-run-session", "/usr/bin/xfce4-session", "/usr/bin/gnome-session"];
  assertEquals(LinuxGui.process(guis, {}), ["XFCE 4", "GNOME"]);
  assertEquals(HasGui.process(guis, {}), true);
  assertEquals(HasGui.process(["/usr/bin/dbus-run-session"], {}), false);
  assertEquals(HasGui.command({}).raw(), "ls /usr/bin/*session || true");
  assertEquals(Groups.process(["root:x:0:", "not a group", "docker:x:999:deploy"], {}), [
    "root",
    "docker",
  ]);
  const date = HostDate.process(["2024-02-29T23:30:00+0530"], {});
  assertEquals([date.toISOString(), date.toJSON()], [
    "2024-02-29T18:00:00.000Z",
    "2024-02-29T23:30:00+05:30",
  ]);
  assertEquals(HostDate.defaultValue() instanceof Date, true);
});

Deno.test("server.Which quotes the program name; server.Command runs shell as written", () => {
  assertEquals(Which.command({ command: "python3" }).raw(), "which python3 || true");
  assertEquals(Which.command({ command: "a b;c" }).raw(), "which 'a b;c' || true");
  assertEquals(Command.command({ command: "echo $HOME | wc -c" }).raw(), "echo $HOME | wc -c");
  assertEquals(Command.process(["one", "two"], { command: "x" }), "one\ntwo");
  assertEquals(
    MacosVersion.hostCommand({}).raw(),
    "! command -v sw_vers >/dev/null || sw_vers -productVersion",
  );
});

Deno.test("server.LinuxDistribution reads os-release and distribution release files", () => {
  const debian = parseDistribution([
    "/etc/os-release",
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    'NAME="Debian GNU/Linux"',
    'VERSION_ID="12"',
    'VERSION="12 (bookworm)"',
    "VERSION_CODENAME=bookworm",
    "ID=debian",
    "---",
  ]);
  assertEquals([debian.name, debian.major, debian.minor, debian.release_meta.CODENAME], [
    "Debian",
    12,
    null,
    "bookworm",
  ]);
  const centos = parseDistribution(["/etc/centos-release", "CentOS release 6.10 (Final)", "---"]);
  assertEquals([centos.name, centos.major, centos.minor], ["CentOS", 6, 10]);
  // An empty release file (Arch) carries nothing.
  assertEquals(parseDistribution(["/etc/arch-release", "---"]), LinuxDistribution.defaultValue());
  assertEquals(
    LinuxName.process(["/etc/os-release", "ID=ubuntu", 'VERSION_ID="22.04"', "---"], {}),
    "Ubuntu",
  );
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

Deno.test("server fact commands run through sh -c agree with the machine", async () => {
  assertEquals(await viaSh(Hostname, {}), await shOut("uname -n"));
  assertEquals(await viaSh(Arch, {}), await shOut("uname -m"));
  assertEquals(await viaSh(Home, {}), Deno.env.get("HOME"));
  assertEquals(await viaSh(Which, { command: "no-such-program-here" }), null);
  assertEquals(await viaSh(Which, { command: "$(touch /tmp/tsinfra-which-pwned)" }), null);
  assertEquals((await viaSh(HostDate, {})) instanceof ZonedDate, true);
  assertEquals(await viaSh(MacosVersion, {}), null);
  assertEquals(await viaSh(Selinux, {}), { mode: null });
  assertEquals(await viaSh(Command, { command: "printf 'a\\nb\\n'" }), "a\nb");
  const mounts = await viaSh(Mounts, {});
  assertEquals(typeof mounts["/"]?.type, "string");
  const sysctl = await viaSh(Sysctl, { keys: ["kernel.ostype"] });
  assertEquals(sysctl["kernel.ostype"], "Linux");
  assertEquals((await viaSh(Locales, {})).includes("C.UTF-8"), true);
  assertEquals((await viaSh(LsbRelease, {}))?.codename ?? "bookworm", "bookworm");
  let pwned = true;
  try {
    await Deno.stat("/tmp/tsinfra-which-pwned");
  } catch {
    pwned = false;
  }
  assertEquals(pwned, false);
});

Deno.test({
  name: "server.Users keeps every user when a comment holds \\c (dash's echo would merge the next)",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const suffix = crypto.randomUUID().slice(0, 6);
    const [first, second] = [`tsinfra-ca-${suffix}`, `tsinfra-cb-${suffix}`];
    const shell = (text: string) =>
      new Deno.Command("sh", { args: ["-c", text], stdout: "piped", stderr: "piped" }).output();
    try {
      assertEquals((await shell(`useradd -M -c 'stop \\c here' ${first}`)).code, 0);
      assertEquals((await shell(`useradd -M ${second}`)).code, 0);
      const host = new Host({
        name: "@local",
        groups: [],
        data: {},
        defaults: {},
        connector: () => new LocalConnector(),
      });
      try {
        const users = await host.getFact(Users);
        assertEquals(users[first]?.comment, "stop \\c here");
        assertEquals(typeof users[second]?.uid, "number");
      } finally {
        await host.disconnect();
      }
    } finally {
      await shell(`userdel ${first}; userdel ${second}`);
    }
  },
});
