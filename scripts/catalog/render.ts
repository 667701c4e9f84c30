/**
 * Renders catalogue entries as Markdown (docs/reference) and as terminal text
 * (`tsinfra help NAME`). Both come from the same entries, so they say the same thing.
 *
 * @module
 */
import type { CatalogFact, CatalogOperation } from "./catalog.ts";
import { BUILTIN_CATALOGUE } from "../../src/catalogue.ts";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n+/g, " ");

function code(example: string): string {
  return "```ts\n" + exampleText(example) + "\n```";
}

/** What a deploy may import from "tsinfra" besides the operation modules. */
const TSINFRA_NAMES = ["host", "inventory", "local", "sh", "mask", "raw", "quote", "deploy"];

function importedNames(text: string, from: RegExp): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    if (!from.test(match[2])) continue;
    for (const name of match[1].split(",")) names.add(name.trim().split(/\s+as\s+/).pop()!);
  }
  return names;
}

/**
 * An example as a user can copy it: the imports it needs are written out (the JSDoc
 * snippets leave them implicit), and `tsinfra/operations` reads as `tsinfra`.
 */
function completeExample(text: string, module: string, fact?: string): string {
  const body = text.replace(/from "tsinfra\/operations"/g, 'from "tsinfra"');
  const fromTsinfra = importedNames(body, /^tsinfra$/);
  const code = body.replace(/^import .*$/gm, "").replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const modules = new Set([...BUILTIN_CATALOGUE.operations.keys()].map((n) => n.split(".")[0]));
  const wanted = [...(fact ? [] : [module]), ...modules, ...TSINFRA_NAMES]
    .filter((n, i, all) => all.indexOf(n) === i)
    .filter((n) => new RegExp(`\\b${n}\\b\\s*[.(\`]`).test(code) && !fromTsinfra.has(n));
  const imports: string[] = [];
  if (wanted.length) imports.push(`import { ${wanted.join(", ")} } from "tsinfra";`);
  if (fact) {
    const className = fact.split(".")[1];
    const fromFacts = importedNames(body, /^tsinfra\/facts\//);
    if (!fromFacts.size && !fromFacts.has(className)) {
      imports.push(`import { ${className} } from "tsinfra/facts/${module}";`);
    }
  }
  return imports.length ? `${imports.join("\n")}\n\n${body}` : body;
}

/** The examples of an entry; a fact without one gets the plain read. */
function examplesOf(entry: CatalogOperation | CatalogFact, fact: boolean): string[] {
  const texts = entry.examples.map(exampleText);
  if (!texts.length && fact) {
    const args = entry.argNames.length ? ", {}" : "";
    texts.push(`const value = await host.getFact(${entry.name.split(".")[1]}${args});`);
  }
  return texts.map((t) => completeExample(t, entry.module, fact ? entry.name : undefined));
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
  for (const example of examplesOf(op, false)) out.push(code(example), "");
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
  for (const example of examplesOf(fact, true)) out.push(code(example), "");
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
  for (const example of examplesOf(op, false)) out.push("", "Example:", indent(example));
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
  for (const example of examplesOf(fact, true)) out.push("", "Example:", indent(example));
  out.push(
    "",
    `From the CLI: tsinfra INVENTORY fact ${fact.name}${
      fact.argNames.map((a) => ` ${a}=...`).join("")
    }`,
  );
  return out.join("\n");
}
