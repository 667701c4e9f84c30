/**
 * `tsinfra emit k8s-job`: a sharded run as Kubernetes objects. An Indexed Job runs one
 * shard per index (`--shard auto` reads `JOB_COMPLETION_INDEX`) and writes its report to
 * `/reports/<run id>/` on a shared volume; a suspended merge Job folds that folder once
 * the indexed Job has finished.
 *
 * Exit statuses map to the pod failure policy: 1 (the shard ran, some hosts failed)
 * fails only that index without a retry, 2 (bad input) fails the whole Job, and
 * anything else (3, a SIGKILL's 137, an evicted pod) is retried up to
 * `backoffLimitPerIndex` times.
 *
 * @module
 */
import { stringifyYaml } from "../../deps.ts";
import type { ShardManifest } from "../../runner/manifest.ts";

/** Options of {@linkcode emitK8sJob}. */
export interface K8sJobOptions {
  /** The manifest's path inside the image, relative to {@linkcode DEPLOY_DIR} (`/` separators). */
  manifestPath: string;
  /** The container image: it holds tsinfra and the project at {@linkcode DEPLOY_DIR}. */
  image: string;
  /** How the image runs tsinfra; split on spaces into the container's command. @default {"tsinfra"} */
  command?: string;
  /** The Secret holding the SSH private key under the key `ssh-privatekey`. @default {"tsinfra-ssh-key"} */
  sshKeySecret?: string;
  /** The PersistentVolumeClaim the reports are written to (ReadWriteMany when pods spread over nodes). @default {"tsinfra-reports"} */
  reportsClaim?: string;
  /** The indexed Job's name; the merge Job is `<name>-merge`. @default {"tsinfra-<run id>"} */
  name?: string;
  /** Retries of each index after an infrastructure failure. @default {2} */
  backoffLimitPerIndex?: number;
}

/** Where the project (with the manifest) is in the image; the container's working folder. */
export const DEPLOY_DIR = "/deploy";
/** Where the reports volume is mounted. */
export const REPORTS_DIR = "/reports";
/** Where the SSH key Secret is mounted. */
export const SSH_KEY_DIR = "/etc/tsinfra/ssh";
/** The container's name, which the pod failure policy's exit-code rules name. */
export const CONTAINER_NAME = "tsinfra";

/** A Kubernetes object as plain data. */
export type K8sObject = Record<string, unknown>;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A label value made of the run id: at most 63 characters of `[A-Za-z0-9_.-]`. */
function labelValue(text: string): string {
  const value = text.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 63).replace(
    /^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g,
    "",
  );
  return LABEL_VALUE.test(value) ? value : "run";
}

/** `tsinfra-<run id>`, lower-cased and cut to a valid Job name (room left for `-merge`). */
export function defaultJobName(runId: string): string {
  const id = runId.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-");
  return `tsinfra-${id}`.slice(0, 50).replace(/-+$/, "");
}

/**
 * The indexed Job and the merge Job of a sharded run, as plain objects.
 *
 * @param manifest The plan whose shards the Job runs.
 * @param options The image, the manifest's place in it, and names.
 * @returns The indexed Job, then the merge Job (suspended).
 * @example
 * ```ts
 * import { k8sObjects } from "./k8s.ts";
 * const manifest = { runId: "r1", shards: [{ index: 1, hosts: ["a"] }, { index: 2, hosts: ["b"] }] };
 * // deno-lint-ignore no-explicit-any
 * const [job] = k8sObjects(manifest as any, { manifestPath: "m.json", image: "img" });
 * // deno-lint-ignore no-explicit-any
 * if ((job.spec as any).completions !== 2) throw new Error("two shards, two completions");
 * ```
 */
export function k8sObjects(manifest: ShardManifest, options: K8sJobOptions): K8sObject[] {
  const shards = manifest.shards.length;
  const name = options.name ?? defaultJobName(manifest.runId);
  const command = (options.command ?? "tsinfra").split(/\s+/).filter(Boolean);
  const manifestInImage = `${DEPLOY_DIR}/${options.manifestPath}`;
  // One folder per run on the shared volume: the merge takes the whole folder.
  const reportDir = `${REPORTS_DIR}/${manifest.runId}`;
  const labels = (component: string) => ({
    "app.kubernetes.io/name": "tsinfra",
    "app.kubernetes.io/component": component,
    "tsinfra/run-id": labelValue(manifest.runId),
  });
  const volumes = [
    {
      name: "ssh-key",
      // 256 is 0400: only the owner reads the key, as ssh requires.
      secret: { secretName: options.sshKeySecret ?? "tsinfra-ssh-key", defaultMode: 0o400 },
    },
    {
      name: "reports",
      persistentVolumeClaim: { claimName: options.reportsClaim ?? "tsinfra-reports" },
    },
  ];
  const volumeMounts = [
    { name: "ssh-key", mountPath: SSH_KEY_DIR, readOnly: true },
    { name: "reports", mountPath: REPORTS_DIR },
  ];
  const exitCodeRule = (action: string, code: number) => ({
    action,
    onExitCodes: { containerName: CONTAINER_NAME, operator: "In", values: [code] },
  });

  const shardJob: K8sObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: labels("shard") },
    spec: {
      completionMode: "Indexed",
      completions: shards,
      parallelism: shards,
      backoffLimitPerIndex: options.backoffLimitPerIndex ?? 2,
      // Every index runs to its end even when others failed: the merge marks what is missing.
      maxFailedIndexes: shards,
      podFailurePolicy: {
        rules: [
          // 2: bad input (a digest or the shard count does not match): no pod can succeed.
          exitCodeRule("FailJob", 2),
          // 1: the shard ran and some hosts failed; its report is final, a retry must not re-run it.
          exitCodeRule("FailIndex", 1),
          // An evicted or preempted pod is not the shard's fault: retry without counting.
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
        ],
      },
      template: {
        metadata: { labels: labels("shard") },
        spec: {
          restartPolicy: "Never",
          containers: [{
            name: CONTAINER_NAME,
            image: options.image,
            workingDir: DEPLOY_DIR,
            command: [
              ...command,
              "--manifest",
              manifestInImage,
              "--shard",
              "auto",
              "--report-dir",
              reportDir,
              "--key",
              `${SSH_KEY_DIR}/ssh-privatekey`,
            ],
            env: [{ name: "TSINFRA_SHARD_TOTAL", value: String(shards) }],
            volumeMounts,
          }],
          volumes,
        },
      },
    },
  };

  const mergeJob: K8sObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `${name}-merge`, labels: labels("merge") },
    spec: {
      // Started by hand (or a pipeline) once the indexed Job has finished; see the header.
      suspend: true,
      backoffLimit: 2,
      podFailurePolicy: {
        rules: [
          // 1: hosts failed; 2: bad reports; 3: a shard sent no report. Merging again changes nothing.
          {
            action: "FailJob",
            onExitCodes: { containerName: CONTAINER_NAME, operator: "In", values: [1, 2, 3] },
          },
        ],
      },
      template: {
        metadata: { labels: labels("merge") },
        spec: {
          restartPolicy: "Never",
          containers: [{
            name: CONTAINER_NAME,
            image: options.image,
            workingDir: DEPLOY_DIR,
            command: [
              ...command,
              "merge",
              manifestInImage,
              reportDir,
              "-o",
              `${reportDir}/merged.json`,
            ],
            volumeMounts: [{ name: "reports", mountPath: REPORTS_DIR }],
          }],
          volumes: [volumes[1]],
        },
      },
    },
  };
  return [shardJob, mergeJob];
}

/**
 * The indexed Job and the merge Job as one multi-document YAML text, with a header
 * that says what to create first and how to start the merge.
 *
 * @param manifest The plan whose shards the Job runs.
 * @param options The image, the manifest's place in it, and names.
 * @returns YAML text for `kubectl apply -f -`.
 * @example
 * ```ts
 * import { emitK8sJob } from "./k8s.ts";
 * const manifest = { runId: "r1", shards: [{ index: 1, hosts: ["a"] }] };
 * // deno-lint-ignore no-explicit-any
 * const text = emitK8sJob(manifest as any, { manifestPath: "m.json", image: "img" });
 * if (!text.includes("completionMode: Indexed")) throw new Error(text);
 * ```
 */
export function emitK8sJob(manifest: ShardManifest, options: K8sJobOptions): string {
  const objects = k8sObjects(manifest, options);
  const name = (objects[0].metadata as { name: string }).name;
  const secret = options.sshKeySecret ?? "tsinfra-ssh-key";
  const claim = options.reportsClaim ?? "tsinfra-reports";
  const header = [
    `tsinfra run ${manifest.runId}: ${manifest.shards.length} shard(s) as an Indexed Job, then a merge Job.`,
    `The image ${options.image} holds tsinfra and the project (with ${options.manifestPath}) at ${DEPLOY_DIR}.`,
    `Before applying, create the SSH key Secret and a ReadWriteMany claim for the reports:`,
    `  kubectl create secret generic ${secret} --from-file=ssh-privatekey=$HOME/.ssh/id_ed25519`,
    `  (and a PersistentVolumeClaim named ${claim})`,
    `Save this as job.yaml; run, wait for the indexed Job to end (complete or failed), then merge:`,
    `  kubectl apply -f job.yaml`,
    `  until kubectl get job ${name} -o jsonpath='{.status.conditions[?(@.status=="True")].type}' \\`,
    `    | grep -qwE 'Complete|Failed'; do sleep 10; done`,
    `  kubectl patch job ${name}-merge --type=merge -p '{"spec":{"suspend":false}}'`,
    `  kubectl wait --for=condition=complete --timeout=30m job/${name}-merge   # ${REPORTS_DIR}/${manifest.runId}/merged.json`,
  ].map((line) => `# ${line}`.trimEnd()).join("\n");
  const documents = objects.map((object) =>
    stringifyYaml(object, { lineWidth: 0, aliasDuplicateObjects: false })
  );
  return `${header}\n${documents.join("---\n")}`;
}
