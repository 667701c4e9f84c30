/**
 * The @ssh connector's pure parts: the SSH config reader, known_hosts matching and the
 * resolution of host data into connection settings. No network.
 *
 * @module
 */
import * as path from "node:path";
import { Buffer } from "node:buffer";
import { assertEquals, assertThrows } from "../_assert.ts";
import { matchesPatternList, parseSshConfig } from "../../src/connectors/ssh/config.ts";
import {
  fingerprint,
  hostKeyStatus,
  keyTypeOf,
  knownHostsName,
  knownKeysFor,
  preferredHostKeyAlgorithms,
  recordHostKey,
} from "../../src/connectors/ssh/known_hosts.ts";
import { resolveSshSettings } from "../../src/connectors/ssh/settings.ts";

Deno.test("matchesPatternList() follows OpenSSH wildcards and negation", () => {
  const cases: [string, string[], boolean][] = [
    ["web1", ["web1"], true],
    ["web1", ["WEB1"], true],
    ["web1", ["web?"], true],
    ["web10", ["web?"], false],
    ["web1.example.com", ["*.example.com"], true],
    ["web2", ["web*", "!web2"], false],
    ["web2", ["!web2", "web*"], false],
    ["db1", ["web*,db*"], true],
    ["db1", ["!web*"], false],
    ["[127.0.0.1]:2222", ["[127.0.0.1]:2222"], true],
    ["[127.0.0.1]:2222", ["[127.0.0.1]:22"], false],
    ["a.b", ["a?b"], true],
    ["axb", ["a.b"], false],
  ];
  for (const [name, patterns, expected] of cases) {
    assertEquals(matchesPatternList(name, patterns), expected, `${name} ~ ${patterns}`);
  }
});

Deno.test("SSH config: the first value wins, IdentityFile accumulates, tokens expand", () => {
  const config = parseSshConfig(
    [
      "# comment",
      "Host web*",
      "  HostName %h.internal",
      "  User deploy",
      "  IdentityFile ~/.ssh/web_%r",
      "Host web2",
      "  User other",
      "  Port 2222",
      "Host *",
      "  Port=2200",
      '  IdentityFile "/keys/with space"',
      "  StrictHostKeyChecking yes",
      "  ProxyJump jump@bastion:2022",
      "  ServerAliveInterval 15",
      "  ConnectTimeout 4",
      "  ForwardAgent yes",
      "  UserKnownHostsFile ~/kh",
    ].join("\n"),
    { home: "/home/me" },
  );
  assertEquals(config.lookup("web2", "me"), {
    hostName: "web2.internal",
    user: "deploy",
    port: 2222,
    identityFiles: ["/home/me/.ssh/web_deploy", "/keys/with space"],
    proxyJump: "jump@bastion:2022",
    strictHostKeyChecking: "yes",
    userKnownHostsFile: "/home/me/kh",
    forwardAgent: true,
    connectTimeout: 4,
    serverAliveInterval: 15,
    identityAgent: undefined,
  });
  const db = config.lookup("db", "me");
  assertEquals([db.hostName, db.user, db.port], [undefined, undefined, 2200]);
});

Deno.test("SSH config: Match blocks and Include files", () => {
  const files: Record<string, string> = {
    "/etc/tsinfra-test/a.conf": "Host inc\n  User included\n",
    "/home/me/.ssh/relative.conf": "Host rel\n  User relative\n",
  };
  const config = parseSshConfig(
    [
      "Include /etc/tsinfra-test/a.conf relative.conf",
      "Match host db*",
      "  User dba",
      'Match exec "true"',
      "  User never",
      "Match all",
      "  Port 2022",
    ].join("\n"),
    { home: "/home/me", readFile: (file) => files[file] },
  );
  assertEquals(config.lookup("inc").user, "included");
  assertEquals(config.lookup("rel").user, "relative");
  assertEquals(config.lookup("db1").user, "dba");
  assertEquals(config.lookup("web").user, undefined);
  assertEquals(config.lookup("web").port, 2022);
  assertThrows(
    () => parseSshConfig("Include /loop\n", { readFile: () => "Include /loop\n" }),
    /Too many nested Include/,
  );
});

function keyBlob(type: string, body: number[]): Uint8Array {
  const name = new TextEncoder().encode(type);
  const blob = new Uint8Array(4 + name.length + body.length);
  new DataView(blob.buffer).setUint32(0, name.length);
  blob.set(name, 4);
  blob.set(body, 4 + name.length);
  return blob;
}

Deno.test("known_hosts: plain, bracketed, hashed, wildcard and revoked entries", async () => {
  const keyA = keyBlob("ssh-ed25519", [1, 2, 3]);
  const keyB = keyBlob("ssh-ed25519", [4, 5, 6]);
  const rsa = keyBlob("ssh-rsa", [7]);
  const b64 = (blob: Uint8Array) => Buffer.from(blob).toString("base64");
  const { createHmac } = await import("node:crypto");
  const salt = Buffer.from("0123456789abcdefghij");
  const hashed = `|1|${salt.toString("base64")}|${
    createHmac("sha1", salt).update("[10.0.0.9]:2222").digest("base64")
  }`;
  const text = [
    `web1,10.0.0.1 ssh-ed25519 ${b64(keyA)} comment`,
    `[10.0.0.2]:2222 ssh-ed25519 ${b64(keyA)}`,
    `${hashed} ssh-ed25519 ${b64(keyB)}`,
    `*.example.com ssh-rsa ${b64(rsa)}`,
    `@revoked bad ssh-ed25519 ${b64(keyB)}`,
    `@cert-authority *.example.com ssh-ed25519 ${b64(keyB)}`,
    "garbage",
  ].join("\n");
  const status = (name: string, blob: Uint8Array) => hostKeyStatus(knownKeysFor(text, name), blob);
  assertEquals(knownHostsName("web1", 22), "web1");
  assertEquals(knownHostsName("10.0.0.2", 2222), "[10.0.0.2]:2222");
  assertEquals(status("web1", keyA), "known");
  assertEquals(status("10.0.0.1", keyB), "changed");
  assertEquals(status("[10.0.0.2]:2222", keyA), "known");
  assertEquals(status("10.0.0.2", keyA), "unknown");
  assertEquals(status("[10.0.0.9]:2222", keyB), "known");
  assertEquals(status("[10.0.0.9]:2222", keyA), "changed");
  assertEquals(status("a.example.com", rsa), "known");
  assertEquals(status("bad", keyB), "revoked");
  assertEquals(status("other", keyA), "unknown");
  assertEquals(knownKeysFor(text, "web1")[0].where, "known_hosts:1");
  assertEquals(keyTypeOf(rsa), "ssh-rsa");
  assertEquals(preferredHostKeyAlgorithms(knownKeysFor(text, "a.example.com")), [
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
  ]);
});

Deno.test("fingerprint() prints SHA256 as ssh-keygen does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-fp-" });
  try {
    const key = path.join(dir, "k");
    const made = await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", "", "-f", key],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => undefined);
    if (!made?.success) return; // no ssh-keygen here: the integration tests compare it too
    const pub = (await Deno.readTextFile(`${key}.pub`)).split(" ");
    const blob = new Uint8Array(Buffer.from(pub[1], "base64"));
    const listed = await new Deno.Command("ssh-keygen", { args: ["-l", "-f", `${key}.pub`] })
      .output();
    assertEquals(fingerprint(blob), new TextDecoder().decode(listed.stdout).split(" ")[1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recordHostKey() appends once, also when called concurrently", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-kh-" });
  try {
    const file = path.join(dir, "sub", "known_hosts");
    const key = keyBlob("ssh-ed25519", [9, 9]);
    await Promise.all([
      recordHostKey(file, "[h]:2", key),
      recordHostKey(file, "[h]:2", key),
      recordHostKey(file, "other", key),
    ]);
    const lines = (await Deno.readTextFile(file)).trim().split("\n");
    assertEquals(lines.map((line) => line.split(" ")[0]), ["[h]:2", "other"]);
    assertEquals((await Deno.stat(file)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("host data is checked and combined with the SSH config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-sshcfg-" });
  try {
    const config = path.join(dir, "config");
    await Deno.writeTextFile(
      config,
      "Host web\n  HostName 10.1.1.1\n  User cfguser\n  Port 2201\n  IdentityFile /k/web\n" +
        "  ProxyJump ops@jump:2022,jump2\nHost jump2\n  User j2\n  IdentityFile /k/j2\n",
    );
    const settings = resolveSshSettings("web", { sshConfigFile: config, sshAgent: false });
    assertEquals([settings.host, settings.user, settings.port], ["10.1.1.1", "cfguser", 2201]);
    assertEquals(settings.identities.map((i) => i.path), ["/k/web"]);
    assertEquals(settings.strictHostKeyChecking, "accept-new");
    assertEquals(settings.connectTimeout, 10);
    assertEquals(
      settings.jumps.map((j) => [j.user, j.host, j.port, j.identities.map((i) => i.path)]),
      [["ops", "jump", 2022, ["/k/web"]], ["j2", "jump2", 22, ["/k/j2"]]],
    );
    const over = resolveSshSettings("web", {
      sshConfigFile: config,
      sshUser: "me",
      sshPort: "2",
      sshKey: "/k/mine",
      sshStrictHostKeyChecking: false,
      sshProxyJump: "none",
    });
    assertEquals([over.user, over.port, over.strictHostKeyChecking], ["me", 2, "no"]);
    assertEquals(over.identities.map((i) => i.path), ["/k/mine"]);
    assertEquals(over.jumps, []);
    for (
      const [data, message] of [
        [{ sshPort: "http" }, /sshPort must be a port number, got "http"/],
        [{ sshPort: 70000 }, /sshPort must be a port number/],
        [{ sshUser: 3 }, /sshUser must be a string/],
        [{ sshStrictHostKeyChecking: "maybe" }, /sshStrictHostKeyChecking must be "yes"/],
        [{ sshConnectTimeout: "5" }, /sshConnectTimeout must be a number of seconds/],
        [{ sshProxyJump: "a@b@c:x" }, /sshProxyJump: cannot read/],
      ] as const
    ) {
      assertThrows(() => resolveSshSettings("h", { sshConfigFile: config, ...data }), message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
