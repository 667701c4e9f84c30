/**
 * `tsinfra emit`: the Kubernetes Jobs validate against the Kubernetes schema
 * (npm kubernetes-models), the GitHub workflow against GitHub's workflow schema (npm
 * @action-validator/core), and each target's structure holds the shard count, the
 * failure handling and the merge. Bad input is refused with a message naming the
 * argument and exit status 2.
 *
 * @module
 */
import * as path from "node:path";
// Test-only dependencies, pinned here (src/deps.ts holds the tool's own).
import { Job, parseAllDocuments, validateWorkflow } from "../_deps.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { ROOT, run } from "../_cli.ts";
import { ArgumentError } from "../../src/core/errors.ts";
import { readManifest, type ShardManifest } from "../../src/runner/manifest.ts";
import { emitText, parseEmitArguments } from "../../src/cli/emit.ts";
import { emitK8sJob } from "../../src/cli/emit/k8s.ts";
import { emitGitlabCi } from "../../src/cli/emit/gitlab.ts";
import { emitGithubActions } from "../../src/cli/emit/github.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** A valid manifest of `shards` shards over 2 * shards hosts. */
function manifestOf(shards: number, runId = "3f2a9c1b7d4e"): ShardManifest {
  const hosts = Array.from({ length: shards * 2 }, (_, i) => `web${i + 1}`);
  return {
    schemaVersion: 1,
    runId,
    tsinfraVersion: "0.1.0",
    createdAt: "2026-01-01T00:00:00.000Z",
    cwd: ".",
    inventory: "inventory.ts",
    inventoryIsFile: true,
    operations: ["deploy.ts"],
    digests: {
      deploy: { "deploy.ts": "ab".repeat(32) },
      inventory: "cd".repeat(32),
      lockfile: null,
    },
    options: { data: [], limit: [], sudo: false, serial: false, wait: true },
    shardKey: [],
    hosts,
    shards: Array.from({ length: shards }, (_, i) => ({
      index: i + 1,
      hosts: hosts.slice(2 * i, 2 * i + 2),
    })),
  };
}

function yamlDocuments(text: string): Any[] {
  const documents = parseAllDocuments(text);
  for (const document of documents as Any[]) {
    assertEquals(document.errors.length, 0, `YAML errors: ${document.errors}`);
  }
  return (documents as Any[]).map((document) => document.toJS());
}

/** Runs `tsinfra emit ...` as a process in `cwd`. */
function emitCli(cwd: string, ...args: string[]) {
  return run(
    Deno.execPath(),
    ["run", "--allow-all", "--no-lock", path.join(ROOT, "cli.ts"), "emit", ...args],
    cwd,
  );
}

Deno.test("emit k8s-job writes an Indexed Job and a merge Job that validate as Kubernetes Jobs", () => {
  const manifest = manifestOf(5);
  const text = emitK8sJob(manifest, {
    manifestPath: "plans/manifest.json",
    image: "registry.example.com/infra:1",
    sshKeySecret: "fleet-key",
    reportsClaim: "fleet-reports",
  });
  const [shardJob, mergeJob, ...rest] = yamlDocuments(text);
  assertEquals(rest.length, 0);
  // Throws with the schema path of the first wrong field.
  new Job(shardJob).validate();
  new Job(mergeJob).validate();

  assertEquals(shardJob.apiVersion, "batch/v1");
  assertEquals(shardJob.metadata.name, "tsinfra-3f2a9c1b7d4e");
  assertEquals(shardJob.metadata.labels["tsinfra/run-id"], "3f2a9c1b7d4e");
  const spec = shardJob.spec;
  assertEquals(spec.completionMode, "Indexed");
  assertEquals([spec.completions, spec.parallelism, spec.maxFailedIndexes], [5, 5, 5]);
  assertEquals(spec.backoffLimitPerIndex, 2);
  const rules = spec.podFailurePolicy.rules;
  const onExit = (code: number) =>
    rules.find((r: Any) => r.onExitCodes?.values.includes(code))?.action;
  assertEquals(onExit(1), "FailIndex");
  assertEquals(onExit(2), "FailJob");
  assertEquals(onExit(3), undefined, "3 (infrastructure) counts against backoffLimitPerIndex");
  assertEquals(onExit(137), undefined, "a SIGKILL counts against backoffLimitPerIndex");
  for (const rule of rules.filter((r: Any) => r.onExitCodes)) {
    assertEquals(rule.onExitCodes.containerName, "tsinfra");
  }

  const pod = spec.template.spec;
  assertEquals(pod.restartPolicy, "Never");
  assertEquals(spec.template.metadata.labels["tsinfra/run-id"], "3f2a9c1b7d4e");
  const [container] = pod.containers;
  assertEquals(container.image, "registry.example.com/infra:1");
  assertEquals(container.command, [
    "tsinfra",
    "--manifest",
    "/deploy/plans/manifest.json",
    "--shard",
    "auto",
    "--report-dir",
    "/reports/3f2a9c1b7d4e",
    "--key",
    "/etc/tsinfra/ssh/ssh-privatekey",
  ]);
  assertEquals(container.env, [{ name: "TSINFRA_SHARD_TOTAL", value: "5" }]);
  const volume = (name: string) => pod.volumes.find((v: Any) => v.name === name);
  assertEquals(volume("ssh-key").secret, { secretName: "fleet-key", defaultMode: 0o400 });
  assertEquals(volume("reports").persistentVolumeClaim, { claimName: "fleet-reports" });
  const mount = (name: string) => container.volumeMounts.find((m: Any) => m.name === name);
  assertEquals(mount("ssh-key").mountPath, "/etc/tsinfra/ssh");
  assertEquals(mount("reports").mountPath, "/reports");

  assertEquals(mergeJob.metadata.name, "tsinfra-3f2a9c1b7d4e-merge");
  assertEquals(mergeJob.spec.suspend, true, "the merge starts once the shards have finished");
  assertEquals(mergeJob.spec.template.spec.restartPolicy, "Never");
  assertEquals(mergeJob.spec.template.spec.containers[0].command, [
    "tsinfra",
    "merge",
    "/deploy/plans/manifest.json",
    "/reports/3f2a9c1b7d4e",
    "-o",
    "/reports/3f2a9c1b7d4e/merged.json",
  ]);
  assertEquals(mergeJob.spec.podFailurePolicy.rules[0].action, "FailJob");
  assertEquals(mergeJob.spec.podFailurePolicy.rules[0].onExitCodes.values, [1, 2, 3]);
  assertStringIncludes(text, "kubectl patch job tsinfra-3f2a9c1b7d4e-merge");
});

Deno.test("emit k8s-job splits --command into the container's command words", () => {
  const text = emitK8sJob(manifestOf(2), {
    manifestPath: "m.json",
    image: "img",
    command: "deno run -A /app/cli.ts",
    name: "nightly",
  });
  const [shardJob, mergeJob] = yamlDocuments(text);
  assertEquals(shardJob.metadata.name, "nightly");
  assertEquals(mergeJob.metadata.name, "nightly-merge");
  assertEquals(shardJob.spec.template.spec.containers[0].command.slice(0, 5), [
    "deno",
    "run",
    "-A",
    "/app/cli.ts",
    "--manifest",
  ]);
  assertEquals(mergeJob.spec.template.spec.containers[0].command.slice(0, 5), [
    "deno",
    "run",
    "-A",
    "/app/cli.ts",
    "merge",
  ]);
});

Deno.test("kubernetes-models rejects a wrong failure action or completion mode (the validation is not vacuous)", () => {
  const [shardJob] = yamlDocuments(emitK8sJob(manifestOf(2), { manifestPath: "m", image: "i" }));
  const wrongAction = structuredClone(shardJob);
  wrongAction.spec.podFailurePolicy.rules[1].action = "FailShard";
  let error = "";
  try {
    new Job(wrongAction).validate();
  } catch (e) {
    error = (e as Error).message;
  }
  assertMatch(error, /podFailurePolicy\/rules\/1\/action/);
  const wrongMode = structuredClone(shardJob);
  wrongMode.spec.completionMode = "Index";
  error = "";
  try {
    new Job(wrongMode).validate();
  } catch (e) {
    error = (e as Error).message;
  }
  assertMatch(error, /completionMode/);
});

Deno.test("emit gitlab-ci writes a parallel: N shard job and a merge job that needs it", () => {
  const text = emitGitlabCi(manifestOf(4), { manifestPath: "manifest.json", image: "deno:2" });
  const [pipeline] = yamlDocuments(text);
  assertEquals(pipeline.stages, ["tsinfra-shard", "tsinfra-merge"]);
  const shard = pipeline["tsinfra-shard"];
  assertEquals(shard.parallel, 4);
  assertEquals(shard.image, "deno:2");
  assertEquals(shard.script, [
    "tsinfra --manifest manifest.json --shard auto --report-dir reports",
  ]);
  assertEquals(shard.artifacts.when, "always");
  assertEquals(shard.artifacts.paths, ["reports/"]);
  assertEquals(shard.retry, { max: 2, exit_codes: [3, 137] });
  const merge = pipeline["tsinfra-merge"];
  assertEquals(merge.when, "always");
  assertEquals(merge.needs, [{ job: "tsinfra-shard", artifacts: true }]);
  assertEquals(merge.script, [
    "tsinfra merge manifest.json reports -o reports/merged.json",
  ]);
  assertEquals(merge.artifacts.paths, ["reports/merged.json"]);
});

Deno.test("emit gitlab-ci runs a single shard without parallel (GitLab refuses parallel: 1)", () => {
  const [pipeline] = yamlDocuments(emitGitlabCi(manifestOf(1), { manifestPath: "m.json" }));
  assertEquals(pipeline["tsinfra-shard"].parallel, undefined);
  assertStringIncludes(pipeline["tsinfra-shard"].script[0], "--shard 1/1 ");
});

Deno.test("emit gitlab-ci passes the SSH key variable and quotes the manifest path", () => {
  const [pipeline] = yamlDocuments(
    emitGitlabCi(manifestOf(2), {
      manifestPath: "my plans/manifest.json",
      sshKeySecret: "DEPLOY_KEY",
      name: "infra",
      command: "deno run -A cli.ts",
    }),
  );
  assertEquals(pipeline.stages, ["infra-shard", "infra-merge"]);
  assertEquals(pipeline["infra-shard"].script, [
    `deno run -A cli.ts --manifest 'my plans/manifest.json' --shard auto --report-dir reports --key "$DEPLOY_KEY"`,
  ]);
  assertEquals(pipeline["infra-merge"].needs[0].job, "infra-shard");
});

Deno.test("emit github-actions writes a matrix of N shards and a merge job that GitHub's schema accepts", () => {
  const text = emitGithubActions(manifestOf(6), {
    manifestPath: "manifest.json",
    sshKeySecret: "DEPLOY_KEY",
  });
  const validation = validateWorkflow(text) as Any;
  assertEquals(validation.errors, [], JSON.stringify(validation.errors));
  assertEquals(/(^|\s)[&*][a-z]\d/m.test(text), false, "no YAML anchors or aliases");
  const [workflow] = yamlDocuments(text);
  const shard = workflow.jobs.shard;
  assertEquals(shard.strategy["fail-fast"], false);
  assertEquals(shard.strategy.matrix.shard, [1, 2, 3, 4, 5, 6]);
  const steps = shard.steps;
  const runStep = steps.find((s: Any) => s.name === "Run the shard");
  assertEquals(
    runStep.run,
    'tsinfra --manifest manifest.json --shard ${{ matrix.shard }}/6 --report-dir reports --key "$HOME/.ssh/tsinfra_key"',
  );
  assertEquals(runStep.env.TSINFRA_ATTEMPT, "${{ github.run_attempt }}");
  const keyStep = steps.find((s: Any) => s.name === "SSH key");
  assertEquals(keyStep.env.SSH_KEY, "${{ secrets.DEPLOY_KEY }}");
  const upload = steps.find((s: Any) => s.uses === "actions/upload-artifact@v4");
  assertEquals(upload.if, "always()");
  assertEquals(
    upload.with.name,
    "tsinfra-report-3f2a9c1b7d4e-${{ matrix.shard }}-a${{ github.run_attempt }}",
  );
  assertEquals(upload.with.path, "reports/");

  const merge = workflow.jobs.merge;
  assertEquals(merge.needs, "shard");
  assertEquals(merge.if, "always()");
  const download = merge.steps.find((s: Any) => s.uses === "actions/download-artifact@v4");
  assertEquals(download.with, {
    pattern: "tsinfra-report-3f2a9c1b7d4e-*",
    path: "reports",
    "merge-multiple": true,
  });
  const mergeStep = merge.steps.find((s: Any) => s.name === "Merge the reports");
  assertEquals(mergeStep.run, "tsinfra merge manifest.json reports -o reports/merged.json");
  // Without an image, the runner gets Deno and the tsinfra version that planned the run.
  assertStringIncludes(JSON.stringify(steps), "denoland/setup-deno@v2");
  assertStringIncludes(JSON.stringify(steps), "tsinfra/v0.1.0/cli.ts");
});

Deno.test("emit github-actions with --image runs the jobs in that container", () => {
  const text = emitGithubActions(manifestOf(2), {
    manifestPath: "m.json",
    image: "ghcr.io/x/infra:1",
  });
  assertEquals((validateWorkflow(text) as Any).errors, []);
  const [workflow] = yamlDocuments(text);
  assertEquals(workflow.jobs.shard.container, "ghcr.io/x/infra:1");
  assertEquals(workflow.jobs.merge.container, "ghcr.io/x/infra:1");
  assertEquals(text.includes("setup-deno"), false);
});

Deno.test("emit refuses bad arguments with a message naming the argument", async () => {
  const refused = (argv: string[], pattern: RegExp) => {
    try {
      parseEmitArguments(argv);
    } catch (error) {
      if (!(error instanceof ArgumentError)) throw error;
      assertMatch(error.message, pattern);
      return;
    }
    throw new Error(`accepted ${argv.join(" ")}`);
  };
  refused(["k8s-job"], /--manifest is required/);
  refused([], /name a target: k8s-job, gitlab-ci, github-actions/);
  refused(["helm", "--manifest", "m.json"], /unknown target helm/);
  refused(["gitlab-ci", "--manifest"], /--manifest needs a value/);
  refused(["gitlab-ci", "--manifest", "m.json", "--replicas", "3"], /unknown option --replicas/);
  assertEquals(parseEmitArguments(["gitlab-ci", "--manifest=m.json", "--name", "x"]), {
    target: "gitlab-ci",
    manifest: "m.json",
    name: "x",
  });

  const textRefused = (args: Any, manifest: ShardManifest, pattern: RegExp) => {
    try {
      emitText(args, manifest, "/repo");
    } catch (error) {
      if (!(error instanceof ArgumentError)) throw error;
      assertMatch(error.message, pattern);
      return;
    }
    throw new Error(`accepted ${JSON.stringify(args)}`);
  };
  const m = manifestOf(2);
  textRefused({ target: "k8s-job", manifest: "m.json" }, m, /--image is required/);
  textRefused(
    { target: "k8s-job", manifest: "m.json", image: "i", name: "Bad_Name" },
    m,
    /--name must be a Kubernetes name/,
  );
  textRefused(
    { target: "gitlab-ci", manifest: "../m.json" },
    m,
    /--manifest \.\.\/m\.json: is outside/,
  );
  textRefused(
    { target: "gitlab-ci", manifest: "m.json", reportsClaim: "x" },
    m,
    /--reports-claim applies to k8s-job only/,
  );
  textRefused(
    { target: "github-actions", manifest: "m.json", sshKeySecret: "deploy-key" },
    m,
    /--ssh-key-secret must be a variable name/,
  );
  textRefused(
    { target: "gitlab-ci", manifest: "m.json" },
    manifestOf(201),
    /201 shards.*at most 200/,
  );
  textRefused({ target: "github-actions", manifest: "m.json" }, manifestOf(257), /at most 256/);
  assertEquals(
    emitText({ target: "gitlab-ci", manifest: "/repo/sub/m.json" }, m, "/repo")
      .includes("--manifest sub/m.json "),
    true,
  );

  const dir = await Deno.makeTempDir({ prefix: "tsinfra-emit-" });
  try {
    await Deno.writeTextFile(path.join(dir, "broken.json"), "{ not json");
    await Deno.writeTextFile(path.join(dir, "other.json"), JSON.stringify({ runId: "x" }));
    const unread = await readManifest(path.join(dir, "missing.json")).catch((e) => e);
    assertMatch(unread.message, /^--manifest .*missing\.json: cannot be read/);
    const broken = await readManifest(path.join(dir, "broken.json")).catch((e) => e);
    assertMatch(broken.message, /^--manifest .*broken\.json: not JSON/);
    const other = await readManifest(path.join(dir, "other.json")).catch((e) => e);
    assertMatch(other.message, /^--manifest .*other\.json: not a tsinfra manifest/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tsinfra emit prints the definitions, and exits 2 with one message on bad input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-emit-" });
  try {
    await Deno.writeTextFile(path.join(dir, "manifest.json"), JSON.stringify(manifestOf(3)));
    await Deno.writeTextFile(path.join(dir, "broken.json"), "{ not json");

    const ok = await emitCli(dir, "gitlab-ci", "--manifest", "manifest.json");
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(yamlDocuments(ok.stdout)[0]["tsinfra-shard"].parallel, 3);
    const k8s = await emitCli(dir, "k8s-job", "--manifest", "manifest.json", "--image", "i:1");
    assertEquals(k8s.code, 0, k8s.stderr);
    for (const object of yamlDocuments(k8s.stdout)) new Job(object).validate();

    const cases: [string[], RegExp][] = [
      [["gitlab-ci"], /--manifest is required/],
      [["nomad", "--manifest", "manifest.json"], /unknown target nomad/],
      [["gitlab-ci", "--manifest", "missing.json"], /--manifest missing\.json: cannot be read/],
      [["gitlab-ci", "--manifest", "broken.json"], /--manifest broken\.json: not JSON/],
      [["k8s-job", "--manifest", "manifest.json"], /--image is required/],
    ];
    for (const [args, pattern] of cases) {
      const out = await emitCli(dir, ...args);
      assertEquals(out.code, 2, `${args.join(" ")}: ${out.stderr}`);
      assertEquals(out.stdout, "");
      assertMatch(out.stderr, pattern);
      // One message (Deno may add its own notes, e.g. on a first download of a package).
      const messages = out.stderr.split("\n").filter((line) => line.startsWith("tsinfra:"));
      assertEquals(messages.length, 1, out.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
