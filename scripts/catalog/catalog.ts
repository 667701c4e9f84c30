/**
 * tsinfra's catalogue as data: every exported operation and fact, with the options,
 * defaults, JSDoc and examples that `deno doc --json` reads from the source, and the
 * facts each operation reads. `deno task api-diff` and `deno task docs` are built on it.
 *
 * @module
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { catalogueOf } from "../../src/core/catalogue.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

/** One option of an operation (a property of its options interface). */
export interface CatalogOption {
  name: string;
  type: string;
  optional: boolean;
  doc: string;
  /** The `@default` text, if documented. */
  default?: string;
}

/** One operation. */
export interface CatalogOperation {
  name: string;
  module: string;
  summary: string;
  doc: string;
  examples: string[];
  /** Every argument name, positional order first. */
  argNames: string[];
  options: CatalogOption[];
  idempotent: boolean;
  /** Facts the operation reads (`<module>.<Class>`). */
  facts: string[];
  /** `src/operations/...`. */
  source: string;
}

/** One fact. */
export interface CatalogFact {
  name: string;
  module: string;
  summary: string;
  doc: string;
  examples: string[];
  argNames: string[];
  /** The command for default arguments, when it needs none. */
  command?: string;
  requiresCommand?: string;
  source: string;
}

/** The whole catalogue, sorted by name. */
export interface Catalog {
  operations: CatalogOperation[];
  facts: CatalogFact[];
}

// deno-lint-ignore no-explicit-any -- deno doc's JSON has a large, loosely typed schema
type DocNode = any;

async function sourceFiles(dir: string, withUtil = false): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory && (withUtil || entry.name !== "util")) {
      out.push(...await sourceFiles(full, withUtil));
    } else if (entry.isFile && entry.name.endsWith(".ts") && entry.name !== "mod.ts") {
      out.push(full);
    }
  }
  return out.sort();
}

/** `deno doc --json` of the files: file URL -> symbols. */
async function docNodes(files: string[]): Promise<Map<string, DocNode>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...files],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!output.success) throw new Error("deno doc --json failed");
  const json = JSON.parse(new TextDecoder().decode(output.stdout));
  return new Map(Object.entries(json.nodes ?? {}));
}

/** A readable TypeScript type from deno doc's type tree. */
export function typeText(t: DocNode): string {
  if (!t) return "unknown";
  switch (t.kind) {
    case "keyword":
      return t.value;
    case "literal":
      return t.value.kind === "string" ? JSON.stringify(t.value.string) : String(
        t.value.number ?? t.value.boolean ?? t.repr,
      );
    case "array": {
      const inner = typeText(t.value);
      return /[|&\s]/.test(inner) ? `(${inner})[]` : `${inner}[]`;
    }
    case "union":
      return t.value.map(typeText).join(" | ");
    case "intersection":
      return t.value.map(typeText).join(" & ");
    case "tuple":
      return `[${t.value.map(typeText).join(", ")}]`;
    case "typeOperator":
      return `${t.value.operator} ${typeText(t.value.tsType)}`;
    case "parenthesized":
      return `(${typeText(t.value)})`;
    case "typeRef": {
      const params = t.value.typeParams?.length
        ? `<${t.value.typeParams.map(typeText).join(", ")}>`
        : "";
      return `${t.value.typeName}${params}`;
    }
    case "fnOrConstructor":
      return `(${(t.value.params ?? []).map((p: DocNode) => p.name ?? "arg").join(", ")}) => ${
        typeText(t.value.tsType)
      }`;
    default:
      return t.repr || t.kind || "unknown";
  }
}

function docOf(node: DocNode): { doc: string; examples: string[]; default?: string } {
  const jsDoc = node?.jsDoc ?? {};
  let doc: string = jsDoc.doc ?? "";
  let fallback: string | undefined;
  // An inline `@default {x}` (one-line JSDoc, or mid-text) stays in the text: take it out.
  const inline = /\s*@default\s+(\{[^}]*\}|\S+)([^]*)$/.exec(doc);
  if (inline) {
    fallback = inline[1].replace(/^\{(.*)\}$/s, "$1");
    doc = (doc.slice(0, inline.index) + " " + inline[2].trim()).trim();
  }
  const examples: string[] = [];
  let defaultValue: string | undefined;
  for (const tag of jsDoc.tags ?? []) {
    if (tag.kind === "example") examples.push(String(tag.doc ?? "").trim());
    if (tag.kind === "default") {
      defaultValue = String(tag.value ?? tag.doc ?? "").replace(/^\{(.*)\}$/s, "$1");
    }
  }
  return { doc: doc.trim(), examples, default: defaultValue ?? fallback };
}

/** The source file, relative to the checkout (no line: the reference would churn on every edit). */
function relative(url: string): string {
  return path.relative(ROOT, new URL(url).pathname);
}

/** Facts read between `from` and `to` lines of a file: `getFact(Name` and `getFact(module.Name`. */
function factsRead(
  sourceLines: string[],
  from: number,
  to: number,
  imports: Map<string, string>,
): string[] {
  const text = sourceLines.slice(from - 1, to - 1).join("\n");
  const found = new Set<string>();
  for (const match of text.matchAll(/getFact\(\s*([A-Za-z_$][\w$]*)/g)) {
    const name = imports.get(match[1]);
    if (name) found.add(name);
  }
  return [...found].sort();
}

/** Loads the catalogue from the source tree. */
export async function loadCatalog(): Promise<Catalog> {
  const operationFiles = await sourceFiles(path.join(ROOT, "src/operations"));
  const factFiles = await sourceFiles(path.join(ROOT, "src/facts"));
  const files = [...operationFiles, ...factFiles];
  // The catalogue of every file's exports; exports are matched to its entries by identity.
  const exportsByFile = new Map<string, Record<string, unknown>>();
  for (const file of files) exportsByFile.set(file, await import(pathToFileURL(file).href));
  const { operations, facts } = catalogueOf(...exportsByFile.values());
  const operationByValue = new Map<unknown, string>(
    [...operations].map(([name, op]) => [op, name]),
  );
  const factByValue = new Map<unknown, string>([...facts].map(([name, fact]) => [fact, name]));

  // Fact constants by the identifier a file imports them under.
  const factIdentifiers = new Map<string, string>();
  for (const file of factFiles) {
    for (const [exported, value] of Object.entries(exportsByFile.get(file)!)) {
      const name = factByValue.get(value);
      if (name) factIdentifiers.set(`${pathToFileURL(file).href}#${exported}`, name);
    }
  }

  const nodes = await docNodes([
    ...await sourceFiles(path.join(ROOT, "src/operations"), true),
    ...await sourceFiles(path.join(ROOT, "src/facts"), true),
  ]);
  // Interfaces and type aliases by file and name: `extends`, aliases and imports are
  // followed across files (several modules have a `PackagesOptions` of their own).
  const declarations = new Map<string, Map<string, DocNode>>();
  for (const [url, node] of nodes) {
    const byName = new Map<string, DocNode>();
    for (const symbol of node.symbols ?? []) {
      for (const d of symbol.declarations) {
        if (d.kind === "interface" || d.kind === "typeAlias") byName.set(symbol.name, d);
      }
    }
    declarations.set(url, byName);
  }
  const resolve = (name: string, fromUrl: string): { decl: DocNode; url: string } | undefined => {
    const local = declarations.get(fromUrl)?.get(name);
    if (local) return { decl: local, url: fromUrl };
    const imported = (nodes.get(fromUrl)?.imports ?? []).find((i: DocNode) =>
      i.importedName === name
    );
    if (imported) {
      const decl = declarations.get(imported.src)?.get(imported.originalName);
      if (decl) return { decl, url: imported.src };
    }
    return undefined;
  };
  const optionOf = (p: DocNode): CatalogOption => {
    const d = docOf(p);
    return {
      name: p.name,
      type: typeText(p.tsType),
      optional: !!p.optional,
      doc: d.doc,
      ...(d.default !== undefined ? { default: d.default } : {}),
    };
  };
  const optionsOfType = (t: DocNode, fromUrl: string, seen: Set<string>): CatalogOption[] => {
    if (t?.kind !== "typeRef") return [];
    const { typeName, typeParams } = t.value;
    if (typeName === "Omit" || typeName === "Partial") {
      const inner = optionsOfType(typeParams?.[0], fromUrl, seen);
      if (typeName === "Partial") return inner.map((o) => ({ ...o, optional: true }));
      const omitted = new Set<string>();
      const collect = (x: DocNode) => {
        if (x?.kind === "literal") omitted.add(x.value.string);
        if (x?.kind === "union") x.value.forEach(collect);
      };
      collect(typeParams?.[1]);
      return inner.filter((o) => !omitted.has(o.name));
    }
    return optionsOf(typeName, fromUrl, seen);
  };
  const optionsOf = (
    name: string | undefined,
    fromUrl: string,
    seen = new Set<string>(),
  ): CatalogOption[] => {
    const found = name ? resolve(name, fromUrl) : undefined;
    if (!found || seen.has(`${found.url}#${name}`)) return [];
    seen.add(`${found.url}#${name}`);
    const { decl, url } = found;
    if (decl.kind === "typeAlias") return optionsOfType(decl.def?.tsType, url, seen);
    const inherited = (decl.def?.extends ?? []).flatMap((e: DocNode) =>
      optionsOfType(e.kind ? e : { kind: "typeRef", value: e.value ?? e }, url, seen)
    );
    const own: CatalogOption[] = (decl.def?.properties ?? []).map(optionOf);
    const names = new Set(own.map((o) => o.name));
    return [...own, ...inherited.filter((o: CatalogOption) => !names.has(o.name))];
  };
  const catalog: Catalog = { operations: [], facts: [] };
  const seenOperations = new Set<string>();
  const seenFacts = new Set<string>();
  for (const file of files) {
    const url = pathToFileURL(file).href;
    const node = nodes.get(url);
    const exported = exportsByFile.get(file)!;
    if (!node) continue;
    const symbols = new Map<string, DocNode>(
      node.symbols.map((s: DocNode) => [s.name, s.declarations[0]]),
    );
    const imports = new Map<string, string>();
    for (const imp of node.imports ?? []) {
      const name = factIdentifiers.get(`${imp.src}#${imp.originalName}`);
      if (name) imports.set(imp.importedName, name);
    }
    for (const [key, value] of Object.entries(exported)) {
      const name = factByValue.get(value);
      if (name && !imports.has(key)) imports.set(key, name);
    }
    const lines = (await Deno.readTextFile(file)).split("\n");
    const starts = [...symbols.values()].map((d) => d.location.line as number).sort((a, b) =>
      a - b
    );
    for (const [exportName, value] of Object.entries(exported)) {
      // Barrels re-export: only the declaring file describes a symbol.
      const found = symbols.get(exportName);
      const declaration = found?.kind === "variable" ? found : undefined;
      const opName = operationByValue.get(value);
      if (opName && declaration && !seenOperations.has(opName)) {
        seenOperations.add(opName);
        const op = operations.get(opName)!;
        const optionsType = declaration.def?.tsType?.value?.typeParams?.[0]?.value?.typeName;
        const options = optionsOf(optionsType, url);
        const line = declaration.location.line as number;
        const next = starts.find((s) => s > line) ?? lines.length + 1;
        const d = docOf(declaration);
        catalog.operations.push({
          name: opName,
          module: opName.split(".")[0],
          summary: op.summary,
          doc: d.doc,
          examples: d.examples,
          argNames: [...op.argNames],
          options,
          idempotent: op.idempotent,
          facts: factsRead(lines, line, next, imports),
          source: relative(url),
        });
      }
      const factName = factByValue.get(value);
      if (factName && declaration && !seenFacts.has(factName)) {
        seenFacts.add(factName);
        const fact = facts.get(factName)!;
        const d = docOf(declaration);
        let command: string | undefined;
        if (!fact.argNames.length) {
          try {
            command = fact.command({}).raw();
          } catch {
            command = undefined;
          }
        }
        catalog.facts.push({
          name: factName,
          module: factName.split(".")[0],
          summary: fact.summary,
          doc: d.doc,
          examples: d.examples,
          argNames: [...fact.argNames],
          ...(command !== undefined ? { command } : {}),
          ...(fact.requiresCommand({}) ? { requiresCommand: fact.requiresCommand({}) } : {}),
          source: relative(url),
        });
      }
    }
  }
  // Registered but not exported from a module file (aliases): listed with what we know.
  for (const [name, op] of operations) {
    if (seenOperations.has(name)) continue;
    catalog.operations.push({
      name,
      module: name.split(".")[0],
      summary: op.summary,
      doc: "",
      examples: [],
      argNames: [...op.argNames],
      options: [],
      idempotent: op.idempotent,
      facts: [],
      source: "",
    });
  }
  for (const [name, fact] of facts) {
    if (seenFacts.has(name)) continue;
    catalog.facts.push({
      name,
      module: name.split(".")[0],
      summary: fact.summary,
      doc: "",
      examples: [],
      argNames: [...fact.argNames],
      source: "",
    });
  }
  catalog.operations.sort((a, b) => a.name.localeCompare(b.name));
  catalog.facts.sort((a, b) => a.name.localeCompare(b.name));
  return catalog;
}
