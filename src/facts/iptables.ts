/**
 * iptables facts: the rules (`iptables.IptablesRules`, `Ip6tablesRules`) and chains with
 * their policies (`iptables.IptablesChains`, `Ip6tablesChains`) of a table, from
 * `iptables-save`.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";

/** One rule, keyed as pyinfra's `iptables.rule` arguments; `extras` is the rest. */
export type IptablesRule = Record<string, string | string[]>;

const ARGS: Record<string, string> = {
  "-A": "chain",
  "-j": "jump",
  "-p": "protocol",
  "-s": "source",
  "-d": "destination",
  "-i": "in_interface",
  "-o": "out_interface",
  "--log-prefix": "log_prefix",
  "--to-destination": "to_destination",
  "--to-source": "to_source",
  "--to-ports": "to_ports",
};

/**
 * Parses one `iptables-save` rule line (`-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT`).
 *
 * @example
 * ```ts
 * import { parseIptablesRule } from "./iptables.ts";
 * parseIptablesRule("-A INPUT -j ACCEPT"); // { chain: "INPUT", jump: "ACCEPT" }
 * ```
 */
export function parseIptablesRule(line: string): IptablesRule {
  const rule: IptablesRule = {};
  const extras: string[] = [];
  let key: string | undefined;
  let args: string[] = [];
  let not = false;
  const add = () => {
    const value = args.join(" ");
    if (key && ARGS[key]) rule[not ? `not_${ARGS[key]}` : ARGS[key]] = value;
    else extras.push(key ?? "", value);
  };
  for (const bit of line.split(/\s+/).filter(Boolean)) {
    if (bit === "!") {
      if (key) {
        add();
        args = [];
        key = undefined;
      }
      not = true;
    } else if (bit.startsWith("-")) {
      if (key) {
        add();
        args = [];
        not = false;
      }
      key = bit;
    } else args.push(bit);
  }
  if (key) add();
  if (extras.length) rule.extras = [...new Set(extras)];
  return rule;
}

function rulesFact(name: string, save: string) {
  return defineFact<IptablesRule[], { table?: string }>({
    name,
    summary: `Returns a list of ${save.replace("-save", "")} rules for a specific table.`,
    argNames: ["table"],
    argDefaults: { table: "filter" },
    // Not installed yet (a deploy that installs iptables first): no rules, no chains.
    requiresCommand: save,
    command: ({ table = "filter" }) => sh`${save} -t ${table}`,
    process: (lines) => lines.filter((l) => l.startsWith("-")).map(parseIptablesRule),
    default: () => [],
  });
}

function chainsFact(name: string, save: string) {
  return defineFact<Record<string, string>, { table?: string }>({
    name,
    summary: `Returns a dict of ${save.replace("-save", "")} chains & policies.`,
    argNames: ["table"],
    argDefaults: { table: "filter" },
    // Not installed yet (a deploy that installs iptables first): no rules, no chains.
    requiresCommand: save,
    command: ({ table = "filter" }) => sh`${save} -t ${table}`,
    process: (lines) => {
      const chains: Record<string, string> = {};
      for (const line of lines) {
        if (!line.startsWith(":")) continue;
        const [chain, policy] = line.slice(1).split(/\s+/);
        chains[chain] = policy;
      }
      return chains;
    },
    default: () => ({}),
  });
}

/**
 * The IPv4 rules of a table (`filter` by default).
 *
 * @example
 * ```ts ignore
 * const rules = await host.getFact(IptablesRules, { table: "nat" });
 * ```
 */
export const IptablesRules: Fact<IptablesRule[], { table?: string }> = rulesFact(
  "iptables.IptablesRules",
  "iptables-save",
);

/** The IPv6 rules of a table. */
export const Ip6tablesRules: Fact<IptablesRule[], { table?: string }> = rulesFact(
  "iptables.Ip6tablesRules",
  "ip6tables-save",
);

/**
 * The IPv4 chains of a table and their policies (`-` for user chains).
 *
 * @example
 * ```ts ignore
 * const chains = await host.getFact(IptablesChains, {});
 * chains.INPUT; // "ACCEPT"
 * ```
 */
export const IptablesChains: Fact<Record<string, string>, { table?: string }> = chainsFact(
  "iptables.IptablesChains",
  "iptables-save",
);

/** The IPv6 chains of a table and their policies. */
export const Ip6tablesChains: Fact<Record<string, string>, { table?: string }> = chainsFact(
  "iptables.Ip6tablesChains",
  "ip6tables-save",
);
