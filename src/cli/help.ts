/**
 * Help for verbs, operations and facts: `tsinfra help exec`,
 * `tsinfra help files.line`, or `--help` after a verb.
 *
 * @module
 */
import { registeredOperations } from "../core/operation.ts";
import { registeredFacts } from "../core/fact.ts";
import { GLOBAL_ARGUMENT_NAMES } from "../core/arguments.ts";

const VERBS: Record<string, string> = {
  exec: `Usage: tsinfra INVENTORY exec -- COMMAND...

Runs a shell command on every host and prints its output, host by host.
Global options such as --sudo, --sudo-user and --su apply.

Example: tsinfra inventory.ts exec -- uptime`,
  fact: `Usage: tsinfra INVENTORY fact MODULE.FACT [key=value | value ...] [MODULE.FACT ...]

Reads facts from every host and prints them as JSON (one value per host when one
fact is asked for). Arguments use pyinfra's names.

Examples: tsinfra @local fact server.LinuxName
          tsinfra @local fact files.File path=/etc/hosts`,
  "debug-inventory": `Usage: tsinfra INVENTORY debug-inventory [--data key=value] [--limit PATTERN]

Prints each host's groups and resolved data (group data, host data and --data
applied, passwords masked) without connecting to any host.`,
  deploy: `Usage: tsinfra INVENTORY DEPLOY.ts [MORE.ts ...] [options]

Runs deploy files: prepare (evaluate the deploy for every host, read facts), show the
proposed changes, ask for approval (or -y), execute, and print the results.
--dry stops after prepare; --diff shows file diffs; --json prints one JSON document.`,
};

/** Help text for a verb, an operation or a fact; undefined when the name is unknown. */
export function helpFor(name: string): string | undefined {
  if (VERBS[name]) return VERBS[name];
  const operation = registeredOperations().get(name);
  if (operation) {
    return [
      `Operation ${name}${operation.idempotent ? "" : " (not idempotent: runs every time)"}`,
      operation.summary ? `\n${operation.summary}` : "",
      `\nArguments (positional order): ${operation.argNames.join(", ") || "(none)"}`,
      `Global arguments: ${GLOBAL_ARGUMENT_NAMES.join(", ")}`,
      `\nExample: tsinfra @local ${name} ${
        operation.argNames.slice(0, 1).map((a) => `${a}=...`).join(" ")
      }`,
    ].join("\n");
  }
  const fact = registeredFacts().get(name);
  if (fact) {
    return [
      `Fact ${name}`,
      fact.summary ? `\n${fact.summary}` : "",
      `\nArguments: ${fact.argNames.join(", ") || "(none)"}`,
      `\nExample: tsinfra @local fact ${name}${fact.argNames.map((a) => ` ${a}=...`).join("")}`,
    ].join("\n");
  }
  return undefined;
}
