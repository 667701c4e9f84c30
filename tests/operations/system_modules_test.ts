/**
 * selinux, vzctl, lxd, launchd, openrc, upstart, bsdinit and puppet cannot run on this
 * machine (no SELinux, OpenVZ, LXD, macOS, OpenRC, Upstart or BSD init here); iptables
 * and ssh run for real elsewhere (web_db, ssh_ops tests). These check what pyinfra's
 * cases leave open: bad input, quoting, and noop reasons.
 */
import * as selinux from "../../src/operations/selinux.ts";
import * as vzctl from "../../src/operations/vzctl.ts";
import * as lxd from "../../src/operations/lxd.ts";
import * as launchd from "../../src/operations/launchd.ts";
import * as openrc from "../../src/operations/openrc.ts";
import * as upstart from "../../src/operations/upstart.ts";
import * as bsdinit from "../../src/operations/bsdinit.ts";
import * as puppet from "../../src/operations/puppet.ts";
import * as iptables from "../../src/operations/iptables.ts";
import * as ssh from "../../src/operations/ssh.ts";
import { generateWith } from "./_context.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

Deno.test("selinux (no SELinux here): bad values are refused; contexts change once", async () => {
  await assertRejects(
    () => generateWith(selinux.boolean, { boolName: "x", value: "yes" as "on" }),
    /'value' must be one of 'on,off' but found 'yes'/,
  );
  const { commands } = await generateWith(selinux.fileContext, {
    path: "/srv/my site",
    seType: "httpd_sys_content_t",
  }, { facts: () => ({ type: "var_t" }) });
  assertEquals(commands, ["chcon -t httpd_sys_content_t '/srv/my site'"]);
});

Deno.test("vzctl (no OpenVZ here): set passes any setting, lists repeat the flag", async () => {
  const { commands } = await generateWith(vzctl.set, {
    ctid: 101,
    hostname: "web1",
    nameserver: ["1.1.1.1", "9.9.9.9"],
  } as vzctl.SetOptions);
  assertEquals(commands, [
    "vzctl set 101 --save --hostname web1 --nameserver 1.1.1.1 --nameserver 9.9.9.9",
  ]);
  const split = vzctl.set.splitArguments({ ctid: 1, cpus: 2, _sudo: true }, "deploy.ts:1:1");
  assertEquals([split.args, split.globals], [{ ctid: 1, cpus: 2 }, { _sudo: true }]);
});

Deno.test("lxd (no LXD here): a running container is stopped before it is deleted", async () => {
  const { commands } = await generateWith(lxd.container, { id: "web1", present: false }, {
    facts: () => [{ name: "web1", status: "Running" }],
  });
  assertEquals(commands, ["lxc stop web1", "lxc delete web1"]);
});

Deno.test("launchd, openrc, upstart, bsdinit (none runs here): restart only what runs", async () => {
  const launch = await generateWith(launchd.service, { service: "com.x", restarted: true }, {
    facts: () => ({ "com.x": true }),
  });
  assertEquals(launch.commands, ["launchctl stop com.x", "launchctl start com.x"]);
  const rc = await generateWith(openrc.service, { service: "nginx", enabled: true }, {
    facts: (name) => (name === "openrc.OpenrcStatus" ? { nginx: true } : {}),
  });
  assertEquals(rc.commands, ["rc-update add nginx"]);
  const job = await generateWith(upstart.service, { service: "app", running: false }, {
    facts: () => ({ app: false }),
  });
  assertEquals([job.commands, job.noop], [[], "service app is stopped"]);
  const bsd = await generateWith(bsdinit.service, { service: "nginx", reloaded: true }, {
    facts: () => ({ nginx: true }),
  });
  assertEquals(
    bsd.commands.at(-1),
    "test -e /etc/rc.d/nginx && /etc/rc.d/nginx reload || /usr/local/etc/rc.d/nginx reload",
  );
});

Deno.test("puppet (no puppet server here): agent with server and port", async () => {
  const { commands } = await generateWith(puppet.agent, { server: "puppet.internal", port: 8140 });
  assertEquals(commands, ["puppet agent -t --server=puppet.internal --masterport=8140"]);
});

Deno.test("iptables: a port without a protocol, and NAT options elsewhere, are errors", async () => {
  await assertRejects(
    () => generateWith(iptables.rule, { chain: "INPUT", jump: "ACCEPT", destinationPort: 22 }),
    /cannot filter by destination_port\/source_port without a protocol/,
  );
  await assertRejects(
    () => generateWith(iptables.rule, { chain: "INPUT", jump: "ACCEPT", toPorts: 8080 }),
    /only supports to_ports on the nat table and the REDIRECT jump \(table=filter, jump=ACCEPT\)/,
  );
});

Deno.test("ssh.command quotes the remote command and the target as single arguments", async () => {
  const { commands } = await generateWith(ssh.command, {
    hostname: "backup",
    command: "echo 'hi'; df -h",
    user: "ops",
    port: 2222,
  });
  assertEquals(commands, [`ssh -p 2222 ops@backup 'echo '"'"'hi'"'"'; df -h'`]);
});
