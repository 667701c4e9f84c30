/**
 * `files.flags`: BSD file flags (`chflags`) set or cleared.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { Flags, operandPath } from "../../facts/files.ts";
import { asList } from "../util/files.ts";

/** Options of {@linkcode flags}. */
export interface FlagsOptions {
  /** The file or folder on the host. */
  path: string;
  /**
   * BSD file flags, one or a list, e.g. `["uchg", "schg"]` or `"hidden"`. @default {null} (nothing
   * to do)
   */
  flags?: string | string[] | null;
  /** Set the flags (`true`) or clear them (`false`). @default {true} */
  present?: boolean;
}

/**
 * Sets or clears BSD file flags (macOS, FreeBSD) with `chflags`, only those not already
 * as wanted.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.flags({ path: "/etc/rc.conf", flags: ["uchg", "schg"] });
 * files.flags({ path: "~/Library", flags: "hidden", present: false });
 * ```
 */
export const flags: Operation<FlagsOptions> = defineOperation<FlagsOptions>("files.flags", {
  summary: "Set/clear file flags.",
  argNames: ["path", "flags", "present"],
  async *generator(args, ctx) {
    const wanted = asList(args.flags);
    const present = args.present ?? true;
    if (!wanted.length) return ctx.noop(`no changes requested to flags for '${args.path}'`);
    const current = new Set(await ctx.host.getFact(Flags, { path: args.path }));
    const change = present
      ? wanted.filter((f) => !current.has(f))
      : wanted.filter((f) => current.has(f));
    const unique = [...new Set(change)].sort();
    if (unique.length) {
      yield new StringCommand([
        "chflags",
        quote(unique.map((f) => (present ? f : `no${f}`)).join(",")),
        quote(operandPath(args.path)),
      ]);
    } else {
      ctx.noop(`'${args.path}' already has '${wanted.join(",")}' ${present ? "set" : "clear"}`);
    }
  },
});
