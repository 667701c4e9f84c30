/**
 * Renders catalogue entries as Markdown (docs/reference) and as terminal text
 * (`tsinfra help NAME`). Both come from the same entries, so they say the same thing.
 *
 * @module
 */
import type { CatalogFact, CatalogOperation } from "./catalog.ts";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n+/g, " ");

function code(example: string): string {
  return example.replace(/^```ts ignore/, "```ts");
}

/** One operation as a Markdown section. */
export function operationMarkdown(op: CatalogOperation): string {
  const out = [`### \`${op.name}\``, ""];
  if (op.summary) out.push(op.summary, "");
  if (op.doc && op.doc !== op.summary) out.push(op.doc, "");
  if (!op.idempotent) out.push("_Not idempotent: it runs on every deploy (use `_if`)._", "");
  out.push(
    `Arguments in positional order: ${op.argNames.map((a) => `\`${a}\``).join(", ") || "none"}.`,
    "",
  );
  if (op.options.length) {
    out.push("| Option | Type | Default | Description |", "|---|---|---|---|");
    for (const o of op.options) {
      const required = o.optional ? "" : " (required)";
      out.push(
        `| \`${o.name}\`${required} | \`${cell(o.type)}\` | ${
          o.default !== undefined ? `\`${cell(o.default)}\`` : ""
        } | ${cell(o.doc)} |`,
      );
    }
    out.push("");
  }
  if (op.facts.length) out.push(`Facts read: ${op.facts.map((f) => `\`${f}\``).join(", ")}.`, "");
  for (const example of op.examples) out.push(code(example), "");
  if (op.source) out.push(`Source: \`${op.source}\``, "");
  return out.join("\n");
}

/** One fact as a Markdown section. */
export function factMarkdown(fact: CatalogFact): string {
  const out = [`### \`${fact.name}\``, ""];
  if (fact.summary) out.push(fact.summary, "");
  if (fact.doc && fact.doc !== fact.summary) out.push(fact.doc, "");
  if (fact.argNames.length) {
    out.push(`Arguments: ${fact.argNames.map((a) => `\`${a}\``).join(", ")}.`, "");
  }
  if (fact.command !== undefined) out.push("Command:", "", "```sh", fact.command, "```", "");
  if (fact.requiresCommand) out.push(`Requires \`${fact.requiresCommand}\` on the host.`, "");
  for (const example of fact.examples) out.push(code(example), "");
  if (fact.source) out.push(`Source: \`${fact.source}\``, "");
  return out.join("\n");
}

function indent(text: string, by = "  "): string {
  return text.split("\n").map((l) => (l ? by + l : l)).join("\n");
}

function exampleText(example: string): string {
  return example.replace(/^```[a-z ]*\n/, "").replace(/\n?```$/, "");
}

/** One operation as `tsinfra help` prints it. */
export function operationText(op: CatalogOperation): string {
  const out = [`Operation ${op.name}(${op.argNames.join(", ")})`];
  if (op.summary) out.push("", indent(op.summary));
  if (op.doc && op.doc !== op.summary) out.push("", indent(op.doc));
  if (!op.idempotent) out.push("", "  Not idempotent: it runs on every deploy (use _if).");
  if (op.options.length) {
    out.push("", "Options:");
    for (const o of op.options) {
      const meta = [
        o.type,
        o.optional ? "" : "required",
        o.default !== undefined ? `default ${o.default}` : "",
      ]
        .filter(Boolean).join("; ");
      out.push(`  ${o.name}  (${meta})`);
      if (o.doc) out.push(indent(o.doc, "      "));
    }
  }
  if (op.facts.length) out.push("", `Facts read: ${op.facts.join(", ")}`);
  for (const example of op.examples) out.push("", "Example:", indent(exampleText(example)));
  out.push("", "Global arguments (_sudo, _if, ...): tsinfra help globals");
  return out.join("\n");
}

/** One fact as `tsinfra help` prints it. */
export function factText(fact: CatalogFact): string {
  const out = [`Fact ${fact.name}${fact.argNames.length ? `(${fact.argNames.join(", ")})` : ""}`];
  if (fact.summary) out.push("", indent(fact.summary));
  if (fact.doc && fact.doc !== fact.summary) out.push("", indent(fact.doc));
  if (fact.command !== undefined) out.push("", "Command:", indent(fact.command));
  if (fact.requiresCommand) out.push("", `Requires ${fact.requiresCommand} on the host.`);
  for (const example of fact.examples) out.push("", "Example:", indent(exampleText(example)));
  out.push(
    "",
    `From the CLI: tsinfra INVENTORY fact ${fact.name}${
      fact.argNames.map((a) => ` ${a}=...`).join("")
    }`,
  );
  return out.join("\n");
}
