/**
 * Package-manager operations beyond pyinfra's cases: values that reach a shell stay one
 * argument (checked with a real `sh -c`), versions pin with each manager's separator,
 * noop reasons, bad input, and server.packages asking for every manager in one round.
 */
import * as apt from "../../src/operations/apt.ts";
import * as apk from "../../src/operations/apk.ts";
import * as pip from "../../src/operations/pip.ts";
import * as npm from "../../src/operations/npm.ts";
import * as snap from "../../src/operations/snap.ts";
import * as yum from "../../src/operations/yum.ts";
import { packages as serverPackages } from "../../src/operations/server.ts";
import { generateWith, sh } from "./_context.ts";
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";

const facts = (table: Record<string, unknown>) => (name: string, args: Record<string, unknown>) => {
  const value = table[name];
  return typeof value === "function" ? value(args) : value;
};

Deno.test("apt.packages pins with =, skips what is installed, upgrades with latest", async () => {
  const installed = { "deb.DebPackages": { nginx: ["1.22.1-9"], curl: ["7.88.1-10"] } };
  const same = await generateWith(apt.packages, { packages: ["nginx=1.22.1-9", "curl"] }, {
    facts: facts(installed),
  });
  assertEquals(same.commands, []);
  assertEquals(same.noop, "package curl is installed (7.88.1-10)");
  const { commands } = await generateWith(apt.packages, {
    packages: ["nginx=1.24.0-1", "curl", "jq"],
    latest: true,
    noRecommends: true,
  }, { facts: facts(installed) });
  assertEquals(commands, [
    'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::="--force-confdef" -o Dpkg::Options::="--force-confold" install --no-install-recommends nginx=1.24.0-1 jq',
    'DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::="--force-confdef" -o Dpkg::Options::="--force-confold" install --no-install-recommends curl',
  ]);
});

Deno.test("apt.packages refuses packages that are not names, before anything runs", () => {
  assertThrows(
    () => apt.packages.splitArguments({ packages: 42 }, "deploy.ts:3:1"),
    /apt.packages(: | in deploy.ts:3:1: )packages must be (a name or a list of names|string \| PackageSpec\[\] \| null)/,
  );
});

Deno.test("apt.update with cacheTime skips a recent update and touches the stamp after one", async () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const recent = await generateWith(apt.update, { cacheTime: 3600 }, {
    facts: facts({
      "server.Date": now,
      "files.File": { mtime: new Date("2026-01-01T11:30:00Z") },
    }),
  });
  assertEquals([recent.commands, recent.noop], [[], "apt is already up to date"]);
  const old = await generateWith(apt.update, { cacheTime: 3600 }, {
    facts: facts({ "server.Date": now, "files.File": { mtime: new Date("2025-12-31T00:00:00Z") } }),
  });
  assertEquals(old.commands, [
    "apt-get update",
    "touch /var/lib/apt/periodic/update-success-stamp",
  ]);
});

Deno.test("a hostile package name stays one argument to the package manager", async () => {
  const name = "x'; touch /tmp/tsinfra-pwned; echo '";
  const { commands } = await generateWith(apk.packages, { packages: [name] }, {
    facts: facts({ "apk.ApkPackages": {} }),
  });
  const echoed = await sh(
    String(commands[0]).replace(/^apk add /, "printf '%s\\n' "),
    "/tmp",
  );
  assertEquals(echoed.stdout, `${name}\n`);
});

Deno.test("pip.packages compares names case-insensitively and pins with ==", async () => {
  const { commands, noop } = await generateWith(pip.packages, {
    packages: ["Django==4.2.1", "requests"],
    virtualenv: "/srv/venv/",
  }, {
    facts: facts({
      "files.File": { mode: 644 },
      "pip.PipPackages": { django: ["4.2.1"] },
    }),
  });
  assertEquals(commands, ["/srv/venv/bin/pip install requests"]);
  assertEquals(noop, "package ['django', '4.2.1'] is installed (4.2.1)");
  const venv = await generateWith(pip.venv, { path: "/srv/venv", python: "python3" }, {
    facts: facts({ "files.File": null }),
  });
  assertEquals(venv.commands, ["python3 -m venv /srv/venv"]);
});

Deno.test("npm.packages in a project folder runs there; snap refreshes another channel", async () => {
  const { commands } = await generateWith(npm.packages, {
    packages: ["express@4.19.2"],
    directory: "/srv/my app",
  }, { facts: facts({ "npm.NpmPackages": {} }) });
  assertEquals(commands, ["cd '/srv/my app' && npm install express@4.19.2"]);
  const refresh = await generateWith(snap.package_, { packages: "lxd", channel: "5.21/stable" }, {
    facts: facts({
      "snap.SnapPackages": ["lxd"],
      "snap.SnapPackage": { channel: "latest/stable" },
    }),
  });
  assertEquals(refresh.commands, ["snap refresh lxd --channel=5.21/stable"]);
});

Deno.test("yum.packages counts a name provided by another installed package", async () => {
  const { commands, noop } = await generateWith(yum.packages, { packages: ["vim"] }, {
    facts: facts({
      "rpm.RpmPackages": { "vim-enhanced": ["9.0-1"] },
      "rpm.RpmPackageProvides": [["vim-enhanced", "9.0-1"]],
    }),
  });
  assertEquals([commands, noop], [[], "package vim is installed"]);
});

Deno.test("server.packages uses the first manager found, asking for all of them at once", async () => {
  const asked: string[] = [];
  const { commands } = await generateWith(serverPackages, { packages: ["curl"] }, {
    facts: (name, args) => {
      if (name === "server.Which") {
        asked.push(String(args.command));
        return args.command === "apt" ? "/usr/bin/apt" : null;
      }
      return name === "deb.DebPackages" ? {} : null;
    },
  });
  assertEquals(asked.sort(), [
    "apk",
    "apt",
    "brew",
    "dnf",
    "pacman",
    "pkg",
    "pkg_add",
    "xbps",
    "yum",
    "zypper",
  ]);
  assertEquals(commands.length, 1);
  await assertRejects(
    () => generateWith(serverPackages, { packages: ["curl"] }, { facts: () => null }),
    /No system package manager found/,
  );
});
