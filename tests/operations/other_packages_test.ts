/**
 * Package managers that cannot run on this Debian machine (apk, brew, cargo, choco, dnf,
 * gem, pacman, pkg, pkgin, snap, xbps, zypper): what pyinfra's cases do not pin down —
 * version separators, group expansion, noop reasons and quoting — checked from facts.
 */
import * as apk from "../../src/operations/apk.ts";
import * as brew from "../../src/operations/brew.ts";
import * as cargo from "../../src/operations/cargo.ts";
import * as choco from "../../src/operations/choco.ts";
import * as dnf from "../../src/operations/dnf.ts";
import * as gem from "../../src/operations/gem.ts";
import * as pacman from "../../src/operations/pacman.ts";
import * as pkg from "../../src/operations/pkg.ts";
import * as pkgin from "../../src/operations/pkgin.ts";
import * as snap from "../../src/operations/snap.ts";
import * as xbps from "../../src/operations/xbps.ts";
import * as zypper from "../../src/operations/zypper.ts";
import { generateWith } from "./_context.ts";
import { assertEquals } from "../_assert.ts";

const table =
  (values: Record<string, unknown>) => (name: string, args: Record<string, unknown>) => {
    const value = values[name];
    return typeof value === "function" ? value(args) : value;
  };

Deno.test("apk (cannot run here): pins with =, upgrades --available", async () => {
  const { commands } = await generateWith(apk.packages, { packages: ["curl=8.5.0-r0", "jq"] }, {
    facts: table({ "apk.ApkPackages": { jq: ["1.7"] } }),
  });
  assertEquals(commands, ["apk add curl=8.5.0-r0"]);
  assertEquals((await generateWith(apk.upgrade, { available: true })).commands, [
    "apk upgrade --available",
  ]);
});

Deno.test("brew (cannot run here): casks use --cask from brew 2.6, `cask` before", async () => {
  const casks = (version: number[]) =>
    generateWith(brew.casks, { casks: ["firefox"] }, {
      facts: table({ "brew.BrewVersion": version, "brew.BrewCasks": {} }),
    });
  assertEquals((await casks([4, 1, 0])).commands, ["brew install --cask firefox"]);
  assertEquals((await casks([2, 5, 0])).commands, ["brew cask install firefox"]);
  const tap = await generateWith(brew.tap, { src: "user/tools" }, {
    facts: table({ "brew.BrewTaps": ["user/tools"] }),
  });
  assertEquals([tap.commands, tap.noop], [[], "tap user/tools already exists"]);
});

Deno.test("cargo (crates.io is unreachable here), choco (Windows) and gem (see gem_test.ts): version separators", async () => {
  const cases: [typeof cargo.packages, string, string, string][] = [
    [cargo.packages, "cargo.CargoPackages", "ripgrep@14.1.0", "cargo install ripgrep@14.1.0"],
    [gem.packages, "gem.GemPackages", "rails:7.1.3", "gem install rails:7.1.3"],
    [choco.packages, "choco.ChocoPackages", "git:2.44.0", "choco install -y git:2.44.0"],
  ];
  for (const [operation, fact, spec, command] of cases) {
    const { commands } = await generateWith(operation, { packages: [spec] }, {
      facts: table({ [fact]: {} }),
    });
    assertEquals(commands, [command]);
  }
});

/** Only the repository folders exist. */
const onlyFolders = (args: Record<string, unknown>) =>
  String(args.path).endsWith(".repo") ? null : { mode: 755 };

Deno.test("dnf and zypper (cannot run here): repositories become .repo files", async () => {
  const { commands } = await generateWith(dnf.repo, {
    src: "internal",
    baseurl: "https://repo.internal/el9/",
    gpgcheck: false,
  }, { facts: table({ "files.File": null, "files.Directory": onlyFolders }) });
  assertEquals(commands[0], [
    "upload",
    "[internal]\nname=internal\nbaseurl=https://repo.internal/el9/\nenabled=1\ngpgcheck=0\n",
    "/etc/yum.repos.d/internal.repo",
  ]);
  const zypperRepo = await generateWith(zypper.repo, { src: "oss", baseurl: "https://x/" }, {
    facts: table({ "files.File": null, "files.Directory": onlyFolders }),
  });
  assertEquals(
    String((zypperRepo.commands[0] as unknown[])[1]).includes("type=rpm-md\n"),
    true,
  );
});

Deno.test("pacman (cannot run here): a group counts as installed when its members are", async () => {
  const { commands, noop } = await generateWith(pacman.packages, { packages: ["base-devel"] }, {
    facts: table({
      "pacman.PacmanPackages": { gcc: ["13.2.1"], make: ["4.4.1"] },
      "pacman.PacmanUnpackGroup": ["gcc", "make"],
    }),
  });
  assertEquals([commands, noop], [[], "package base-devel is installed"]);
});

Deno.test("pkg, pkgin and xbps (cannot run here): install and remove commands", async () => {
  const bsd = await generateWith(pkg.packages, { packages: ["nginx"], pkgPath: "http://mirror/" }, {
    facts: table({ "server.Which": null, "pkg.PkgPackages": {} }),
  });
  assertEquals(bsd.commands, ["PKG_PATH=http://mirror/ pkg_add nginx"]);
  const netbsd = await generateWith(pkgin.packages, { packages: ["vim"], present: false }, {
    facts: table({ "pkgin.PkginPackages": { vim: ["9.1"] } }),
  });
  assertEquals(netbsd.commands, ["pkgin -y remove vim"]);
  const voidLinux = await generateWith(xbps.packages, { packages: ["git"], update: true }, {
    facts: table({ "xbps.XbpsPackages": {} }),
  });
  assertEquals(voidLinux.commands, ["xbps-install -S", "xbps-install -y -u git"]);
});

Deno.test("snap (snapd needs systemd and squashfs: cannot run here): install and remove", async () => {
  const { commands } = await generateWith(snap.package_, {
    packages: ["lxd", "hello"],
    classic: true,
  }, {
    facts: table({
      "snap.SnapPackages": ["hello"],
      "snap.SnapPackage": { channel: "latest/stable" },
    }),
  });
  assertEquals(commands, ["snap install --classic lxd --channel=latest/stable"]);
});
