/**
 * The `tsinfra` executable (the entry `deno compile` builds). It stays thin: `--version`
 * answers without loading the engine; everything else loads `src/cli/main.ts`.
 *
 * @module
 */
import { VERSION } from "./src/version.ts";

if (import.meta.main) {
  const args = Deno.args;
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    console.log(VERSION);
    Deno.exit(0);
  }
  Deno.addSignalListener("SIGINT", async () => {
    // The first Ctrl-C during a deploy stops it cleanly; otherwise, or a second time, quit.
    const { requestStop } = await import("./src/cli/interrupt.ts");
    if (requestStop()) {
      console.error("\ntsinfra: stopping (Ctrl-C again to quit at once)");
      return;
    }
    console.error("\ntsinfra: interrupted");
    // Local commands run in their own process groups: the terminal's ^C does not reach them.
    const { stopRunningProcesses } = await import("./src/connectors/process.ts");
    await stopRunningProcesses().catch(() => {});
    Deno.exit(130);
  });
  const { main } = await import("./src/cli/main.ts");
  Deno.exit(await main(args));
}
