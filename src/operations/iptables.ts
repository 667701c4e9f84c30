/**
 * iptables operations: `iptables.chain` and `iptables.rule`, with pyinfra's arguments
 * and commands; a rule is compared with `iptables-save`'s output to decide.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { OperationError } from "../core/errors.ts";
import {
  Ip6tablesChains,
  Ip6tablesRules,
  IptablesChains,
  type IptablesRule,
  IptablesRules,
} from "../facts/iptables.ts";
import { type CommandPart, quote as q, sh, StringCommand } from "../core/command.ts";

/** Options of {@linkcode chain}. */
export interface ChainOptions {
  /** The chain's name. */
  chain: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** The table. @default {"filter"} */
  table?: string;
  /** Its policy (built-in chains): `ACCEPT`, `DROP`. @default {null} */
  policy?: string | null;
  /** 4 for iptables, 6 for ip6tables. @default {4} */
  version?: 4 | 6;
}

/**
 * Creates or deletes an iptables chain, and sets a policy.
 *
 * @example
 * ```ts ignore
 * iptables.chain({ chain: "WEBAPP" });
 * iptables.chain({ chain: "INPUT", policy: "DROP" });
 * ```
 */
export const chain: Operation<ChainOptions> = defineOperation<ChainOptions>("iptables.chain", {
  argNames: ["chain", "present", "table", "policy", "version"],
  summary: "Add/remove/update iptables chains.",
  async *generator({ chain, present = true, table = "filter", policy, version = 4 }, ctx) {
    const chains = await ctx.host.getFact(version === 4 ? IptablesChains : Ip6tablesChains, {
      table,
    });
    const command = sh`${version === 4 ? "iptables" : "ip6tables"} -t ${table}`;
    const exists = Object.hasOwn(chains, chain);
    if (!present) {
      if (exists) yield sh`${command} -X ${chain}`;
      else ctx.noop(`iptables chain ${chain} does not exist`);
      return;
    }
    if (!exists) yield sh`${command} -N ${chain}`;
    else ctx.noop(`iptables chain ${chain} exists`);
    if (policy && (!exists || chains[chain] !== policy)) {
      yield sh`${command} -P ${chain} ${policy}`;
    }
  },
});

/** Options of {@linkcode rule}. */
export interface RuleOptions {
  /** The chain. */
  chain: string;
  /** The target: `ACCEPT`, `DROP`, `LOG`, another chain, ... */
  jump: string;
  /** Whether the rule should exist. @default {true} */
  present?: boolean;
  /** The table. @default {"filter"} */
  table?: string;
  /** Append (`-A`) rather than insert (`-I`). @default {true} */
  append?: boolean;
  /** 4 for iptables, 6 for ip6tables. @default {4} */
  version?: 4 | 6;
  /** `-p`. @default {null} */
  protocol?: string | null;
  /** `! -p`. @default {null} */
  notProtocol?: string | null;
  /** `-s` (a bare address gets `/32`). @default {null} */
  source?: string | null;
  /** `! -s`. @default {null} */
  notSource?: string | null;
  /** `-d`. @default {null} */
  destination?: string | null;
  /** `! -d`. @default {null} */
  notDestination?: string | null;
  /** `-i`. @default {null} */
  inInterface?: string | null;
  /** `! -i`. @default {null} */
  notInInterface?: string | null;
  /** `-o`. @default {null} */
  outInterface?: string | null;
  /** `! -o`. @default {null} */
  notOutInterface?: string | null;
  /** `--to-destination` (nat table, DNAT). @default {null} */
  toDestination?: string | null;
  /** `--to-source` (nat table, SNAT). @default {null} */
  toSource?: string | null;
  /** `--to-ports` (nat table, REDIRECT). @default {null} */
  toPorts?: string | number | null;
  /** `--log-prefix` (LOG). @default {null} */
  logPrefix?: string | null;
  /** `--dport` (needs `protocol`). @default {null} */
  destinationPort?: number | string | null;
  /** `--sport` (needs `protocol`). @default {null} */
  sourcePort?: number | string | null;
  /** Any other arguments, as iptables-save prints them. @default {""} */
  extras?: string;
}

function sameRule(a: IptablesRule, b: IptablesRule): boolean {
  const norm = (r: IptablesRule) =>
    JSON.stringify(
      Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? [...new Set(v)].sort() : v])
        .sort(([x], [y]) => String(x).localeCompare(String(y))),
    );
  return norm(a) === norm(b);
}

/**
 * Adds or removes an iptables rule.
 *
 * @example
 * ```ts ignore
 * iptables.rule({ chain: "INPUT", jump: "ACCEPT", protocol: "tcp", destinationPort: 22 });
 * ```
 */
export const rule: Operation<RuleOptions> = defineOperation<RuleOptions>("iptables.rule", {
  argNames: [
    "chain",
    "jump",
    "present",
    "table",
    "append",
    "version",
    "protocol",
    "notProtocol",
    "source",
    "notSource",
    "destination",
    "notDestination",
    "inInterface",
    "notInInterface",
    "outInterface",
    "notOutInterface",
    "toDestination",
    "toSource",
    "toPorts",
    "logPrefix",
    "destinationPort",
    "sourcePort",
    "extras",
  ],
  summary: "Add/remove iptables rules.",
  async *generator(args, ctx) {
    const { chain, jump, present = true, table = "filter", append = true, version = 4 } = args;
    const toPorts = typeof args.toPorts === "number" ? String(args.toPorts) : args.toPorts;
    let extras = args.extras ?? "";
    if (args.destinationPort) extras = `${extras} --dport ${args.destinationPort}`;
    if (args.sourcePort) extras = `${extras} --sport ${args.sourcePort}`;
    const extrasSet = new Set(extras.split(/\s+/).filter(Boolean));
    const protocol = args.protocol?.toLowerCase();
    if (protocol) extrasSet.add("-m").add(protocol);
    else if (args.destinationPort || args.sourcePort) {
      throw new OperationError(
        "iptables cannot filter by destination_port/source_port without a protocol",
      );
    }
    const nat = (option: unknown, wanted: string, name: string) => {
      if (option && (table !== "nat" || jump !== wanted)) {
        throw new OperationError(
          `iptables only supports ${name} on the nat table and the ${wanted} jump (table=${table}, jump=${jump})`,
        );
      }
    };
    nat(args.toDestination, "DNAT", "to_destination");
    nat(args.toSource, "SNAT", "to_source");
    nat(toPorts, "REDIRECT", "to_ports");
    if (args.logPrefix && jump !== "LOG") {
      throw new OperationError(
        `iptables only supports log_prefix with the LOG jump (jump=${jump})`,
      );
    }
    const address = (value?: string | null) =>
      value && !value.includes("/") ? `${value}/32` : value;
    const wanted: IptablesRule = {};
    const fields: [string, string | null | undefined][] = [
      ["chain", chain],
      ["jump", jump],
      ["protocol", protocol],
      ["source", address(args.source)],
      ["destination", address(args.destination)],
      ["in_interface", args.inInterface],
      ["out_interface", args.outInterface],
      ["not_protocol", args.notProtocol],
      ["not_source", address(args.notSource)],
      ["not_destination", address(args.notDestination)],
      ["not_in_interface", args.notInInterface],
      ["not_out_interface", args.notOutInterface],
      ["log_prefix", args.logPrefix],
      ["to_destination", args.toDestination],
      ["to_source", args.toSource],
      ["to_ports", toPorts],
    ];
    for (const [key, value] of fields) if (value) wanted[key] = value;
    if (extrasSet.size) wanted.extras = [...extrasSet];
    const rules = await ctx.host.getFact(version === 4 ? IptablesRules : Ip6tablesRules, {
      table,
    });
    const exists = rules.some((r) => sameRule(r, wanted));
    let action: string;
    if (present) {
      if (exists) return ctx.noop(`iptables ${chain} rule exists`);
      action = append ? "-A" : "-I";
    } else {
      if (!exists) return ctx.noop(`iptables ${chain} rule does not exists`);
      action = "-D";
    }
    // Plain strings are shell text (flags, `!`, the user's `extras` as pyinfra passes
    // them); every value is a quote() part.
    const command: CommandPart[] = [
      version === 4 ? "iptables" : "ip6tables",
      "-t",
      q(table),
      action,
      q(chain),
    ];
    if (protocol) command.push("-p", q(protocol));
    if (args.source) command.push("-s", q(args.source));
    if (args.destination) command.push("-d", q(args.destination));
    if (args.inInterface) command.push("-i", q(args.inInterface));
    if (args.outInterface) command.push("-o", q(args.outInterface));
    if (args.notProtocol) command.push("!", "-p", q(args.notProtocol.toLowerCase()));
    if (args.notSource) command.push("!", "-s", q(args.notSource));
    if (args.notDestination) command.push("!", "-d", q(args.notDestination));
    if (args.notInInterface) command.push("!", "-i", q(args.notInInterface));
    if (args.notOutInterface) command.push("!", "-o", q(args.notOutInterface));
    if (extras) command.push(extras.trim());
    command.push("-j", q(jump));
    if (args.logPrefix) command.push("--log-prefix", q(args.logPrefix));
    if (args.toDestination) command.push("--to-destination", q(args.toDestination));
    if (args.toSource) command.push("--to-source", q(args.toSource));
    if (toPorts) command.push("--to-ports", q(toPorts));
    yield new StringCommand(command);
  },
});
