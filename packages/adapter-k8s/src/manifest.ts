import type {
  V1EnvVar,
  V1EnvVarSource,
  V1Job,
  V1PodDNSConfig,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
  V1VolumeProjection,
} from "@kubernetes/client-node";
import type { ClaudeK8sConfig, SecretKeyRef } from "./config.js";
import { envSecretKey } from "./run-secret.js";

export const CLAUDE_CONTAINER = "claude";
/** Where the per-run Secret files (prompt parts, the MCP config) are mounted, read-only. */
export const RUN_FILES_DIR = "/var/run/paperclip/run";
/** Where the run bundle (skills, instructions) is mounted, read-only (`bundle-objects.ts`'s BUNDLE_MOUNT). */
export const RUN_BUNDLE_DIR = "/var/run/paperclip/bundle";
const TMP_DIR = "/tmp";

/**
 * The container entrypoint. Every value arrives as a positional argument (`$1` = working directory, the rest =
 * the claude argv), so nothing from config or Paperclip is ever interpolated into shell text. One prompt part is
 * redirected straight to stdin; several are concatenated into a private temp file first. `exec` hands PID 1 and the
 * exit status to claude itself, so the Job reports claude's own exit code.
 */
export const ENTRYPOINT_SCRIPT = [
  "set -eu",
  'cwd="$1"; shift',
  'mkdir -p "$HOME" "$cwd"',
  // Claude Code 2.0.x loads skills only from the Claude home (it ignores --add-dir's): link each shipped skill there,
  // after dropping links an earlier run left into the bundle (the home may persist on the workspace volume).
  `skills=${RUN_BUNDLE_DIR}/.claude/skills`,
  'if [ -d "$skills" ]; then',
  '  home_skills="${CLAUDE_CONFIG_DIR:-$HOME/.claude}/skills"; mkdir -p "$home_skills"',
  `  for l in "$home_skills"/*; do if [ -L "$l" ]; then case "$(readlink "$l")" in ${RUN_BUNDLE_DIR}/*) rm -f "$l";; esac; fi; done`,
  '  for d in "$skills"/*; do if [ -d "$d" ] && [ ! -e "$home_skills/${d##*/}" ]; then ln -s "$d" "$home_skills/${d##*/}"; fi; done',
  "fi",
  'cd "$cwd"',
  `run=${RUN_FILES_DIR}`,
  'if [ -e "$run/prompt.001" ]; then',
  `  umask 077; cat "$run"/prompt.* > ${TMP_DIR}/.paperclip-prompt`,
  `  exec "$@" < ${TMP_DIR}/.paperclip-prompt`,
  "fi",
  'exec "$@" < "$run/prompt.000"',
].join("\n");

/** How one env var reaches the container. Sensitive values only ever travel as Secret references. */
export type EnvEntry =
  | { name: string; kind: "literal"; value: string }
  | { name: string; kind: "runSecret" }
  | { name: string; kind: "secretRef"; ref: SecretKeyRef }
  | { name: string; kind: "valueFrom"; source: V1EnvVarSource };

export type ResolvedWorkspace =
  | { kind: "pvc"; claimName: string; subPath: string | undefined }
  | { kind: "emptyDir"; sizeLimit: string | undefined };

/** Everything the Job needs, already resolved (inheritance from the Paperclip pod applied by the caller). */
export interface JobManifestInput {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  config: ClaudeK8sConfig;
  image: string;
  imagePullSecrets: string[];
  dnsPolicy: string | undefined;
  dnsConfig: V1PodDNSConfig | undefined;
  nodeSelector: Record<string, string> | undefined;
  tolerations: V1Toleration[] | undefined;
  workspace: ResolvedWorkspace;
  cwd: string;
  /** The full claude command line, command first. */
  argv: string[];
  env: EnvEntry[];
  /** Secret names holding the run files, first one also holding the env keys. */
  runSecretNames: string[];
  /** The run bundle's ConfigMaps with their items (empty: no bundle volume). */
  bundleSources?: V1VolumeProjection[];
}

export function buildJobManifest(input: JobManifestInput): V1Job {
  const { config } = input;
  const pod = config.pod;
  const labels = { ...pod.labels, ...input.labels };
  const annotations = { ...pod.annotations, ...input.annotations };
  const runSecret = input.runSecretNames[0];
  if (runSecret === undefined) throw new Error("at least one run Secret is required");
  const job: V1Job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: input.name, namespace: input.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: pod.ttlSecondsAfterFinished,
      ...(config.run.timeoutSec > 0 ? { activeDeadlineSeconds: config.run.timeoutSec } : {}),
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: pod.automountServiceAccountToken,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: config.run.graceSec,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: pod.runAsUser,
            runAsGroup: pod.runAsGroup,
            seccompProfile: { type: "RuntimeDefault" },
            ...(pod.fsGroup !== undefined
              ? { fsGroup: pod.fsGroup, fsGroupChangePolicy: "OnRootMismatch" }
              : {}),
          },
          ...optional("serviceAccountName", pod.serviceAccountName),
          ...optional("priorityClassName", pod.priorityClassName),
          ...optional("runtimeClassName", pod.runtimeClassName),
          ...optional("nodeSelector", input.nodeSelector),
          ...optional("tolerations", input.tolerations),
          ...optional("affinity", pod.affinity),
          ...optional("dnsPolicy", input.dnsPolicy),
          ...optional("dnsConfig", input.dnsConfig),
          ...(input.imagePullSecrets.length > 0
            ? { imagePullSecrets: input.imagePullSecrets.map((name) => ({ name })) }
            : {}),
          containers: [
            {
              name: CLAUDE_CONTAINER,
              image: input.image,
              imagePullPolicy: pod.imagePullPolicy,
              command: ["/bin/sh", "-c", ENTRYPOINT_SCRIPT, "claude-k8s"].map(escapeExpansion),
              args: [input.cwd, ...input.argv].map(escapeExpansion),
              env: input.env.map((e) => toEnvVar(e, runSecret)),
              resources: {
                ...(Object.keys(pod.resources.requests).length > 0
                  ? { requests: { ...pod.resources.requests } }
                  : {}),
                ...(Object.keys(pod.resources.limits).length > 0
                  ? { limits: { ...pod.resources.limits } }
                  : {}),
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: pod.readOnlyRootFilesystem,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: volumeMounts(input),
            },
          ],
          volumes: volumes(input),
        },
      },
    },
  };
  return job;
}

/**
 * Kubernetes expands `$(NAME)` in a container's `command`, `args` and `env[].value` (with the container's env, so
 * `$(ANTHROPIC_API_KEY)` would become the key) and turns `$$` into `$`. Doubling every `$` that starts one of those
 * two sequences makes the kubelet pass the string through literally, whatever it contains.
 */
export function escapeExpansion(value: string): string {
  return value.replace(/\$(?=[$(])/g, () => "$$");
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function toEnvVar(entry: EnvEntry, runSecret: string): V1EnvVar {
  switch (entry.kind) {
    case "literal":
      return { name: entry.name, value: escapeExpansion(entry.value) };
    case "runSecret":
      return {
        name: entry.name,
        valueFrom: { secretKeyRef: { name: runSecret, key: envSecretKey(entry.name) } },
      };
    case "secretRef":
      return { name: entry.name, valueFrom: { secretKeyRef: { name: entry.ref.name, key: entry.ref.key } } };
    case "valueFrom":
      return { name: entry.name, valueFrom: entry.source };
  }
}

function volumeMounts(input: JobManifestInput): V1VolumeMount[] {
  const ws = input.config.workspace;
  const mounts: V1VolumeMount[] = [
    {
      name: "workspace",
      mountPath: ws.mountPath,
      ...(input.workspace.kind === "pvc" && input.workspace.subPath
        ? { subPath: input.workspace.subPath }
        : {}),
    },
    { name: "run-files", mountPath: RUN_FILES_DIR, readOnly: true },
  ];
  if (input.bundleSources?.length)
    mounts.push({ name: "run-bundle", mountPath: RUN_BUNDLE_DIR, readOnly: true });
  if (!(ws.mountPath === TMP_DIR || ws.mountPath.startsWith(`${TMP_DIR}/`))) {
    mounts.push({ name: "tmp", mountPath: TMP_DIR });
  }
  return mounts;
}

function volumes(input: JobManifestInput): V1Volume[] {
  const workspace: V1Volume =
    input.workspace.kind === "pvc"
      ? { name: "workspace", persistentVolumeClaim: { claimName: input.workspace.claimName } }
      : {
          name: "workspace",
          emptyDir: input.workspace.sizeLimit ? { sizeLimit: input.workspace.sizeLimit } : {},
        };
  return [
    workspace,
    {
      name: "run-files",
      projected: {
        // Readable by the non-root user whatever its group; the files exist only inside this pod.
        defaultMode: 0o444,
        sources: input.runSecretNames.map((name) => ({ secret: { name, optional: false } })),
      },
    },
    { name: "tmp", emptyDir: {} },
    ...(input.bundleSources?.length
      ? [{ name: "run-bundle", projected: { defaultMode: 0o444, sources: input.bundleSources } }]
      : []),
  ];
}

/**
 * The manifest-build assertion: no sensitive value may appear anywhere in the Job (env literals, args,
 * annotations, labels…), and no env var whose name is sensitive may carry a literal value.
 */
export function assertNoSecretLiterals(
  job: V1Job,
  secretValues: Iterable<string>,
  isSensitiveName: (name: string) => boolean,
): void {
  const serialized = JSON.stringify(job);
  for (const value of secretValues) {
    const forms = [value, escapeExpansion(value)].map((v) => JSON.stringify(v).slice(1, -1));
    if (value.length >= 4 && forms.some((form) => serialized.includes(form))) {
      throw new Error("refusing to create the Job: a secret value would appear as a literal in its manifest");
    }
  }
  for (const container of job.spec?.template.spec?.containers ?? []) {
    for (const env of container.env ?? []) {
      if (env.value !== undefined && isSensitiveName(env.name)) {
        throw new Error(`refusing to create the Job: sensitive env ${env.name} would be a literal value`);
      }
    }
  }
}
