/**
 * Every operation module, by pyinfra's module name (pyinfra's `python` is `js`,
 * `postgresql` is an alias of `postgres`).
 *
 * @module
 */
export * as apk from "./apk.ts";
export * as apt from "./apt.ts";
export * as brew from "./brew.ts";
export * as bsdinit from "./bsdinit.ts";
export * as cargo from "./cargo.ts";
export * as choco from "./choco.ts";
export * as dnf from "./dnf.ts";
export * as docker from "./docker.ts";
export * as files from "./files.ts";
export * as gem from "./gem.ts";
export * as git from "./git.ts";
export * as iptables from "./iptables.ts";
export * as js from "./js.ts";
export * as launchd from "./launchd.ts";
export * as lxd from "./lxd.ts";
export * as mysql from "./mysql.ts";
export * as npm from "./npm.ts";
export * as openrc from "./openrc.ts";
export * as pacman from "./pacman.ts";
export * as pip from "./pip.ts";
export * as pkg from "./pkg.ts";
export * as pkgin from "./pkgin.ts";
export * as postgres from "./postgres.ts";
export * as puppet from "./puppet.ts";
export * as selinux from "./selinux.ts";
export * as server from "./server.ts";
export * as snap from "./snap.ts";
export * as ssh from "./ssh.ts";
export * as systemd from "./systemd.ts";
export * as sysvinit from "./sysvinit.ts";
export * as upstart from "./upstart.ts";
export * as vzctl from "./vzctl.ts";
export * as xbps from "./xbps.ts";
export * as yum from "./yum.ts";
export * as zypper from "./zypper.ts";
export * as postgresql from "./postgres.ts";
