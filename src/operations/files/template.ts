/**
 * `files.template`: a template (Jinja2 for `.j2`/`.jinja`/`.jinja2`, else Eta) rendered on the controller and uploaded when the
 * host's copy differs.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { MaskedPart } from "../../core/command.ts";
import { ensureModeInt, type Mode } from "../util/files.ts";
import { renderTemplate } from "../util/template.ts";
import { putContent } from "./put.ts";

/** Options of {@linkcode template}. */
export interface TemplateOptions {
  /**
   * The template on the controller: Jinja2 (rendered with nunjucks) for `.j2`, `.jinja`
   * and `.jinja2`, Eta for anything else. `./x` is relative to the calling deploy file.
   */
  src: string;
  /** Where the rendered file goes on the host. */
  dest: string;
  /** User that should own the file. @default {null} (left as it is) */
  user?: string | null;
  /** Group that should own the file. @default {null} (left as it is) */
  group?: string | null;
  /** Permissions of the file (`644`, `"u+x"`). @default {null} (left as it is) */
  mode?: Mode | null;
  /** Create the parent folder when it is missing (with `user` and `group`). @default {true} */
  createRemoteDir?: boolean;
  /**
   * Variables the template reads as `it.<name>`, beside `it.host` and `it.inventory`
   * (pyinfra passes them as extra keyword arguments). Reading one that is not given is
   * an error. A `mask()` value is written as its value and shown as `***` by `--diff`.
   * @default {{}}
   */
  vars?: Record<string, unknown>;
}

/**
 * Renders a template (Jinja2 or Eta, by extension) on the controller and uploads the
 * result when it differs from the host's file (by SHA1), then sets owner and mode. A template error fails the
 * operation with the template's file and line.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra";
 * // templates/nginx.conf.j2: worker_processes {{ workers }}; # {{ host.name }}
 * files.template({
 *   src: "./templates/nginx.conf.j2",
 *   dest: "/etc/nginx/nginx.conf",
 *   vars: { workers: 4 },
 *   mode: 644,
 * });
 * // templates/nginx.conf.eta: worker_processes <%= it.workers %>; # <%= it.host.name %>
 * files.template({
 *   src: "./templates/nginx.conf.eta",
 *   dest: "/etc/nginx/nginx.conf",
 *   vars: { workers: 4 },
 *   mode: 644,
 * });
 * ```
 */
export const template: Operation<TemplateOptions> = defineOperation<TemplateOptions>(
  "files.template",
  {
    summary: "Generate a template using Jinja2 (.j2) or Eta and write it to the remote system.",
    argNames: ["src", "dest", "user", "group", "mode", "createRemoteDir", "vars"],
    localPathArgs: ["src"],
    async *generator(args, ctx) {
      // A mask() variable renders as its value; --diff shows it as ***.
      const secrets: string[] = [];
      const vars = Object.fromEntries(
        Object.entries(args.vars ?? {}).map(([name, value]) => {
          if (!(value instanceof MaskedPart)) return [name, value];
          secrets.push(value.value);
          return [name, value.value];
        }),
      );
      const text = renderTemplate(ctx, args.src, vars);
      yield* putContent(text, args.dest, { ...args, mode: ensureModeInt(args.mode) }, ctx, secrets);
    },
  },
);
