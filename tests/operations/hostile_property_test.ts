/**
 * Property test through @local: 5,000 hostile strings generated with fast-check, each
 * dealt to one operation argument that reaches a command (paths, lines, replacements,
 * block content and markers, template variables, server.user fields, crontab commands,
 * `_env`, `--data` and inventory data; see ./_hostile_arbitrary.ts), run in batches of
 * one deploy each, twice. Required: no canary ever appears, the target holds exactly the
 * expected bytes, the second run changes nothing, and every impossible value is refused.
 *
 * The seed is printed; set TSINFRA_PROPERTY_SEED to replay a run, TSINFRA_PROPERTY_COUNT
 * to change the number of strings.
 */
import * as path from "node:path";
import assert from "node:assert/strict";
import {
  type Batch,
  buildBatch,
  type Case,
  checkRefusals,
  deal,
  describeCase,
  newCanary,
  newTally,
  problems,
  removeUsers,
  runBatch,
  runRefusals,
  sampleStrings,
  SLOTS,
  summary,
  type Target,
} from "./_hostile_arbitrary.ts";

const SEED = Number(Deno.env.get("TSINFRA_PROPERTY_SEED") ?? 20240613);
const COUNT = Number(Deno.env.get("TSINFRA_PROPERTY_COUNT") ?? 5000);
/** Strings per deploy: fact reads are batched into one command line, which is bounded. */
const BATCH = 100;
/** Deploys run at once (mostly waiting on processes: three keep two cores busy). */
const PARALLEL = 3;
/** server.user reads every user of the system for each call: a few dozen cases. */
const USERS = 40;

async function shell(script: string) {
  const output = await new Deno.Command("sh", { args: ["-c", script], stdin: "null" }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

const isRoot = Deno.uid() === 0;
const hasCrontab = (await shell("command -v crontab")).code === 0;

Deno.test(`${COUNT} generated hostile strings through every operation argument run nothing and are written exactly, through @local`, async () => {
  const started = performance.now();
  const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "tsinfra-property-" }));
  const canary = newCanary();
  const tally = newTally();
  const batches: Batch[] = [];
  console.log(`seed ${SEED} (replay with TSINFRA_PROPERTY_SEED=${SEED})`);
  const dirs = Array.from({ length: PARALLEL }, (_, i) => path.join(work, `controller-${i}`));
  const target: Target = {
    label: "@local",
    inventory: (data) => `export const hosts = [["@local", ${JSON.stringify(data)}]];\n`,
    cliArgs: [],
    sh: shell,
    can: { root: isRoot, crontab: isRoot && hasCrontab },
    canaryPlaces: [work, "/tmp", "/", Deno.env.get("HOME") ?? "/root"],
  };
  try {
    const slots = SLOTS.filter((slot) => !slot.needs || target.can[slot.needs]);
    const skipped = SLOTS.filter((slot) => !slots.includes(slot)).map((slot) => slot.name);
    if (skipped.length) console.log(`skipped here (needs root or crontab): ${skipped.join(", ")}`);
    const strings = sampleStrings(SEED, COUNT);
    const { accepted, refused, known, perSlot } = deal(strings, slots, canary, {
      "server.user comment and home": USERS,
    });
    console.log(`strings per argument: ${JSON.stringify(Object.fromEntries(perSlot))}`);
    for (const [reason, cases] of known) tally.known[reason] = cases.map(describeCase);
    tally.strings = strings.length;
    tally.accepted = accepted.length;
    tally.refused = refused.length;

    // Impossible values: every one refused in-process, a sample through the CLI.
    tally.refusalProblems.push(...await checkRefusals(refused, path.join(work, "refused")));
    const sample: Case[] = [];
    for (const slot of slots.filter((s) => !s.source)) {
      sample.push(...refused.filter((c) => c.slot === slot).slice(0, 1));
    }
    for (const dir of dirs) await Deno.mkdir(dir);
    await runRefusals(target, dirs[0], sample, path.join(work, "refused"), canary, tally);

    for (let at = 0, n = 0; at < accepted.length; at += BATCH, n++) {
      batches.push(
        buildBatch(accepted.slice(at, at + BATCH), path.join(work, `b${n}`), `tsp${n}x`),
      );
    }
    let next = 0;
    await Promise.all(dirs.map(async (dir) => {
      while (next < batches.length) {
        const batch = batches[next++];
        await runBatch(target, dir, batch, canary, tally);
      }
    }));
    console.log(summary("@local", tally));
    const dump = Deno.env.get("TSINFRA_PROPERTY_DUMP");
    if (dump) await Deno.writeTextFile(dump, JSON.stringify(tally, null, 1));
    console.log(`@local: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert(tally.strings >= 5000 || COUNT < 5000, "fewer than 5,000 strings");
    const bad = tally.escapes.length + tally.wrongBytes.length + tally.secondRunChanges.length +
      tally.failures.length + tally.refusalProblems.length;
    assert(bad === 0, `seed ${SEED}:\n${problems(tally)}`);
  } finally {
    for (const batch of batches) await removeUsers(target, batch);
    await shell(`rm -f /tmp/${canary.word}*`);
    await Deno.remove(work, { recursive: true });
  }
});
