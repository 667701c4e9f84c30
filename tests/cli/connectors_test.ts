/**
 * `--connectors MODULE`: a module of the user's own connectors (pyinfra's connector
 * plugins) is loaded by the coordinator and by every worker, so hosts use it with or
 * without workers; an unknown connector is still one clear error, exit 2.
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { tsinfraIn } from "../_cli.ts";

/** A connector that runs nothing and answers every command with where it was made. */
const CONNECTORS = `import type { CommandOutput, Connector, ConnectorFactory } from "tsinfra";

class EchoConnector implements Connector {
  readonly #answer: string;
  constructor(target: string, data: Readonly<Record<string, unknown>>) {
    // WorkerGlobalScope exists only in a worker thread.
    const thread = typeof (globalThis as Record<string, unknown>).WorkerGlobalScope === "function"
      ? "worker"
      : "main";
    // A host that chooses the connector in its data ("c") gives no name after it.
    this.#answer = \`\${target || "-"} \${String(data.colour)} \${thread}\`;
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  runShellCommand(): Promise<CommandOutput> {
    return Promise.resolve({ exitCode: 0, stdout: this.#answer + "\\n", stderr: "", timedOut: false });
  }
  writeFile(): Promise<void> {
    return Promise.resolve();
  }
  readFile(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array());
  }
  removeFile(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

export default {
  "@echo": (target, data) => new EchoConnector(target, data),
} satisfies Record<string, ConnectorFactory>;
`;

const INVENTORY = `export const hosts = [
  ["@echo/a", { colour: "red" }],
  ["@echo/b", { colour: "blue" }],
  ["c", { connector: "@echo", colour: "green" }],
];
`;

const DEPLOY = `import { server } from "tsinfra";
server.shell({ commands: ["true"], name: "ask" });
`;

async function withProject(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-connectors-" });
  try {
    await Deno.writeTextFile(path.join(dir, "connectors.ts"), CONNECTORS);
    await Deno.writeTextFile(path.join(dir, "inventory.ts"), INVENTORY);
    await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
    await Deno.writeTextFile(path.join(dir, "not_connectors.ts"), "export default 3;\n");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function outputs(stdout: string): Record<string, string> {
  const report = JSON.parse(stdout) as {
    hosts: Record<string, { operations: { stdout: string }[] }>;
  };
  return Object.fromEntries(
    Object.entries(report.hosts).map(([host, r]) => [host, r.operations[0].stdout.trim()]),
  );
}

Deno.test("a --connectors module makes the hosts' connectors in workers and with --workers 0", async () => {
  await withProject(async (dir) => {
    for (const [workers, thread] of [["0", "main"], ["2", "worker"]]) {
      const out = await tsinfraIn(
        dir,
        "--connectors",
        "connectors.ts",
        "inventory.ts",
        "deploy.ts",
        "-y",
        "--json",
        "--workers",
        workers,
      );
      assertEquals(out.code, 0, out.stdout + out.stderr);
      assertEquals(outputs(out.stdout), {
        "@echo/a": `a red ${thread}`,
        "@echo/b": `b blue ${thread}`,
        c: `- green ${thread}`,
      });
    }
  });
});

Deno.test("an unknown connector is one clear error with exit 2, with a connector module too", async () => {
  await withProject(async (dir) => {
    const builtin = "@local, @ssh, @docker, @podman, @dockerssh, @chroot";
    const cases: [string[], string, string][] = [
      [[], "@echo", `${builtin}, @terraform, @vagrant`],
      [["--connectors", "connectors.ts"], "@nosuch", `${builtin}, @echo, @terraform, @vagrant`],
    ];
    for (const [extra, unknown, known] of cases) {
      const out = await tsinfraIn(dir, ...extra, "@echo/a,@nosuch/b", "deploy.ts", "--dry");
      assertEquals(out.code, 2, out.stdout + out.stderr);
      const host = `${unknown}/${unknown === "@echo" ? "a" : "b"}`;
      assertEquals(
        out.stderr.trim(),
        `tsinfra: error: Invalid host "${host}": ${host}: unknown connector ${unknown}; known: ${known}`,
      );
    }
  });
});

Deno.test("a --connectors module that is missing or exports no map is refused naming it", async () => {
  await withProject(async (dir) => {
    const missing = await tsinfraIn(dir, "--connectors", "nope.ts", "@local", "deploy.ts", "--dry");
    assertEquals(missing.code, 2, missing.stdout + missing.stderr);
    assertMatch(missing.stderr, /--connectors: no such module: nope\.ts/);
    const wrong = await tsinfraIn(
      dir,
      "--connectors",
      "not_connectors.ts",
      "@local",
      "deploy.ts",
      "--dry",
    );
    assertEquals(wrong.code, 2, wrong.stdout + wrong.stderr);
    assertMatch(wrong.stderr, /--connectors not_connectors\.ts: the default export must map/);
  });
});
