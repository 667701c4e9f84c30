import { Host } from "../../src/core/host.ts";
import { defineFact } from "../../src/core/fact.ts";
import { sh } from "../../src/core/command.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

const Echo = defineFact<string, { text: string }>({
  name: "test.Echo",
  argNames: ["text"],
  command: ({ text }) => sh`printf '%s' ${text}`,
  process: (lines) => lines.join("\n"),
  default: () => "(default)",
});

const Fails = defineFact<string>({
  name: "test.Fails",
  command: "echo broken >&2; exit 5",
  process: (lines) => lines.join(""),
});

const Missing = defineFact<string | null>({
  name: "test.Missing",
  command: "never-run",
  requiresCommand: "tsinfra-no-such-program",
  process: (lines) => lines.join(""),
});

function localHost(): Host {
  return new Host({
    name: "local",
    groups: ["all"],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });
}

Deno.test("facts asked for in the same turn are read in one round trip, each with its own result", async () => {
  const host = localHost();
  const values = await Promise.all([
    host.getFact(Echo, { text: "one" }),
    host.getFact(Echo, { text: "two\nlines" }),
    host.getFact(Echo, { text: "" }),
    host.getFact(Missing),
  ]);
  assertEquals(values, ["one", "two\nlines", "(default)", null]);
  assertEquals(host.stats.roundTrips, 1);
  assertEquals(host.stats.factsRead, 4);
});

Deno.test("a failing fact in a batch fails alone, with its own exit status and stderr", async () => {
  const host = localHost();
  const [ok, failed] = await Promise.allSettled([
    host.getFact(Echo, { text: "fine" }),
    host.getFact(Fails),
  ]);
  assertEquals(ok, { status: "fulfilled", value: "fine" });
  assertEquals(failed.status, "rejected");
  await assertRejects(
    () => host.getFact(Fails),
    /Could not load fact test\.Fails on local: exit status 5: broken/,
  );
});

Deno.test("facts are cached until a change invalidates them", async () => {
  const host = localHost();
  await host.getFact(Echo, { text: "x" });
  await host.getFact(Echo, { text: "x" });
  assertEquals(host.stats.roundTrips, 1);
  host.invalidateFacts();
  await host.getFact(Echo, { text: "x" });
  assertEquals(host.stats.roundTrips, 2);
});

const Counter = defineFact<string, { path: string }>({
  name: "test.Counter",
  argNames: ["path"],
  command: ({ path }) => sh`cat ${path} 2>/dev/null || echo none`,
  process: (lines) => lines.join("\n"),
});

Deno.test("facts prefetched with a command read the state it left, in the same round trip", async () => {
  const host = localHost();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/count`;
    const args = host.connectorArguments();
    assertEquals(await host.getFact(Counter, { path: file }), "none");
    const before = host.stats.roundTrips;
    // A here-document as the command's last line must survive the composition.
    const output = await host.run(
      sh`cat > ${file} <<'EOF'\n3\nEOF`,
      args,
      undefined,
      [{ fact: Counter, args: { path: file }, globals: {} }],
    );
    assertEquals(output, { exitCode: 0, stdout: "", stderr: "", timedOut: false });
    host.invalidateFacts();
    assertEquals(await host.getFact(Counter, { path: file }), "3");
    assertEquals(host.stats.roundTrips, before + 1);

    // A failing command: its own status and output, the facts not read (asked again later).
    const failed = await host.run(sh`printf out; echo err >&2; exit 4`, args, undefined, [
      { fact: Counter, args: { path: file }, globals: {} },
    ]);
    assertEquals(failed.exitCode, 4);
    assertEquals([failed.stdout, failed.stderr], ["out", "err\n"]);
    host.invalidateFacts();
    await Deno.writeTextFile(file, "5\n");
    assertEquals(await host.getFact(Counter, { path: file }), "5");
    assertEquals(host.stats.roundTrips, before + 3);

    // Output without a trailing newline is returned exactly.
    const exact = await host.run(sh`printf 'a\nb'`, args, undefined, [
      { fact: Counter, args: { path: file }, globals: {} },
    ]);
    assertEquals(exact.stdout, "a\nb");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a batch for a sudo user that does not exist gives each fact its default",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const host = localHost();
    const globals = { _sudo: true, _sudoUser: "tsinfra-no-such-user" };
    const values = await Promise.all([
      host.getFact(Echo, { text: "a" }, globals),
      host.getFact(Echo, { text: "b" }, globals),
    ]);
    assertEquals(values, ["(default)", "(default)"]);
  },
});

Deno.test("a fact read with a login shell or a kept environment is another read than without", async () => {
  const host = new Host({
    name: "local",
    groups: ["all"],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });
  const Probe = defineFact<string>({
    name: "test.EnvironmentProbe",
    command: () => sh`printf '%s' probe`,
    process: (lines) => lines.join(""),
  });
  try {
    await host.getFact(Probe, {}, {});
    assertEquals(host.stats.factsRead, 1);
    await host.getFact(Probe, {}, {});
    assertEquals(host.stats.factsRead, 1); // cached
    // Without _sudo/_su these change nothing here, but they would on a host: not shared.
    await host.getFact(Probe, {}, { _preserveSudoEnv: true });
    await host.getFact(Probe, {}, { _useSuLogin: true });
    await host.getFact(Probe, {}, { _suShell: "bash" });
    assertEquals(host.stats.factsRead, 4);
    // How sudo authenticates does not change what the command sees.
    await host.getFact(Probe, {}, { _timeout: 30 });
    assertEquals(host.stats.factsRead, 4);
  } finally {
    await host.disconnect();
  }
});
