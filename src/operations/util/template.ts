/**
 * Eta templates for `files.template` and `server.scriptTemplate`: the template sees
 * `it.host`, `it.inventory` and each key of `vars`; errors name the file and line.
 *
 * @module
 */
import { Eta } from "../../deps.ts";
import type { OperationContext } from "../../core/operation.ts";
import { OperationError } from "../../core/errors.ts";

// autoTrim off: newlines are kept as written, like Jinja2's defaults; `-%>` trims one.
const eta = new Eta({
  autoEscape: false,
  autoTrim: false,
  debug: true,
  useWith: false,
  cache: false,
});

function lineOf(error: Error): number | undefined {
  const parse = / at line (\d+) col \d+/.exec(error.message);
  if (parse) return Number(parse[1]);
  const runtime = /^(?:.*:)?(?:line )?(\d+)\n/.exec(error.message);
  return runtime ? Number(runtime[1]) : undefined;
}

function reasonOf(error: Error): string {
  const paragraphs = error.message.split("\n\n");
  const last = paragraphs[paragraphs.length - 1].trim();
  const first = error.message.split("\n")[0].replace(/ at line \d+ col \d+:?$/, "");
  return error.name.startsWith("EtaParser") ? first : `${error.name}: ${last}`;
}

/**
 * Renders a template file (a path on the controller) with variables.
 *
 * @example
 * ```ts ignore
 * const text = renderTemplate(ctx, "/deploy/templates/site.conf.eta", { port: 80 });
 * ```
 */
export function renderTemplate(
  ctx: OperationContext,
  src: string,
  vars: Readonly<Record<string, unknown>> = {},
): string {
  const path = ctx.local.resolve(src);
  let text: string;
  try {
    text = ctx.local.readText(path);
  } catch {
    throw new OperationError(`No such template: ${path}`);
  }
  try {
    return eta.renderString(text, { ...ctx.templateGlobals, ...vars });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const line = lineOf(err);
    const lines = text.split("\n");
    const context = line
      ? "\n...\n" + lines.slice(Math.max(line - 2, 0), line + 1).map((l) => l.trim()).join("\n") +
        "\n..."
      : "";
    throw new OperationError(
      `Error in template: ${path}${line ? ` (L${line})` : ""}: ${reasonOf(err)}${context}`,
    );
  }
}
