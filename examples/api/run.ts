/**
 * tsinfra from a plain Deno script: no CLI, no deploy file. It imports the library by
 * URL (here from an environment variable, so the test can serve a copy on 127.0.0.1)
 * and runs the same operations on the local machine and, when given one, a container.
 *
 *   TSINFRA_URL=https://example.com/tsinfra/mod.ts deno run -A examples/api/run.ts /tmp/api-demo
 *   ... deno run -A examples/api/run.ts /tmp/api-demo @docker/debian:12
 *
 * @module
 */
const url = Deno.env.get("TSINFRA_URL") ?? new URL("../../mod.ts", import.meta.url).href;
const tsinfra: typeof import("../../mod.ts") = await import(url);
const { files, host, run, deploy } = tsinfra;
const { Hostname } = tsinfra.facts.server;

const [root = "/tmp/tsinfra-api-demo", ...hosts] = Deno.args;

/** A packaged deploy with data defaults, as pyinfra's @deploy. */
const motd = deploy("Message of the day", async () => {
  const name = await host.getFact(Hostname);
  files.directory({ path: root });
  files.file({ path: `${root}/motd` });
  files.line({ path: `${root}/motd`, line: `${host.data.greeting} from ${name}` });
}, { dataDefaults: { greeting: "hello" } });

for (const pass of ["first", "second"]) {
  const { report } = await run({
    inventory: ["@local", ...hosts],
    operations: motd,
    onEvent: (event) => {
      if (event.type === "operationResult") {
        console.log(`${pass}: [${event.host}] ${event.name}: ${event.status}`);
      }
    },
  });
  console.log(
    `${pass} run: success=${report.success} changed=${report.totals.changed} ` +
      `unchanged=${report.totals.noChange} errors=${report.totals.errors}`,
  );
  if (!report.success) Deno.exit(1);
}
