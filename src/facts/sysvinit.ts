/**
 * sysvinit facts: the status of every /etc/init.d script (`sysvinit.InitdStatus`).
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";

/**
 * Parses `NAME=STATUS` lines of init scripts' `status` exit codes: 0 is running, 1-3
 * stopped, anything else unknown (`null`), per the LSB.
 *
 * @example
 * ```ts
 * import { parseInitStatuses } from "./sysvinit.ts";
 * parseInitStatuses(["nginx=0", "cron=3", "odd=4"]); // { nginx: true, cron: false, odd: null }
 * ```
 */
export function parseInitStatuses(lines: readonly string[]): Record<string, boolean | null> {
  const services: Record<string, boolean | null> = {};
  for (const line of lines) {
    const match = /^([a-zA-Z0-9-]+)=([0-9]+)/.exec(line);
    if (!match) continue;
    const code = Number(match[2]);
    services[match[1]] = code === 0 ? true : code < 4 ? false : null;
  }
  return services;
}

/**
 * Every LSB init script in /etc/init.d and whether it runs (`null`: it cannot tell).
 *
 * @example
 * ```ts ignore
 * const status = await host.getFact(InitdStatus);
 * status.nginx; // true
 * ```
 */
export const InitdStatus: Fact<Record<string, boolean | null>> = defineFact<
  Record<string, boolean | null>
>({
  name: "sysvinit.InitdStatus",
  summary: "Low level check for every /etc/init.d/* script.",
  command: `
        for SERVICE in \`ls /etc/init.d/\`; do
            _=\`cat /etc/init.d/$SERVICE | grep "### BEGIN INIT INFO"\`

            if [ "$?" = "0" ]; then
                STATUS=\`/etc/init.d/$SERVICE status\`
                echo "$SERVICE=$?"
            fi
        done
    `,
  process: parseInitStatuses,
  default: () => ({}),
});
