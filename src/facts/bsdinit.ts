/**
 * BSD init facts: the status of every rc.d script (`bsdinit.RcdStatus`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { parseInitStatuses } from "./sysvinit.ts";

/**
 * Every script in /etc/rc.d and /usr/local/etc/rc.d and whether it runs.
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(RcdStatus);
 * ```
 */
export const RcdStatus: Fact<Record<string, boolean | null>> = defineFact<
  Record<string, boolean | null>
>({
  name: "bsdinit.RcdStatus",
  summary: "Same as InitdStatus but for BSD (/etc/rc.d) systems.",
  command: `
        for SERVICE in \`find /etc/rc.d /usr/local/etc/rc.d -type f\`; do
            $SERVICE status 2> /dev/null || $SERVICE check 2> /dev/null
            echo "\`basename $SERVICE\`=$?"
        done
    `,
  process: parseInitStatuses,
  default: () => ({}),
});
