import {
  assertValid,
  type ConfigIssue,
  isPlainObject,
  type ParsedFields,
  parseFields,
} from "@paperclip-k8s/run-core";
import { CLAUDE_K8S_FIELDS, IGNORED_KEYS } from "./fields.js";
import { DEFAULT_RESOURCES } from "./pod-fields.js";
import { type ClaudeK8sConfig, RESOURCE_NAMES, type Resources } from "./types.js";

/** What parsing a claude_k8s config yields: the typed config and the warnings a run should show. */
export interface ParsedConfig {
  config: ClaudeK8sConfig;
  /** Things that are valid but likely mistakes (e.g. a sensitiveEnvNames entry that protects nothing). */
  warnings: string[];
}

type Fields = ParsedFields<typeof CLAUDE_K8S_FIELDS>;

/** The run files' directory in the pod; the workspace must not overlap it. */
/** The run files (per-run Secret) and the run bundle (ConfigMaps) are mounted below this. */
const RUN_FILES_ROOT = "/var/run/paperclip";

/**
 * Parses and validates the raw adapterConfig, once, at the edge of execute()/testEnvironment(). Throws run-core's
 * one config error (`adapter_config_invalid`) naming every invalid field and every unknown key.
 */
export function parseConfig(raw: unknown): ParsedConfig {
  const { config: parsed, issues } = parseFields(CLAUDE_K8S_FIELDS, raw, { knownKeys: IGNORED_KEYS });
  const f = withDefaultsForInvalid(parsed);
  const record = isPlainObject(raw) ? raw : {};
  const mountPath = f.workspaceMountPath;
  const config: ClaudeK8sConfig = {
    claude: {
      model: f.model,
      effort: f.effort,
      maxTurnsPerRun: f.maxTurnsPerRun,
      dangerouslySkipPermissions: f.dangerouslySkipPermissions,
      instructionsFilePath: f.instructionsFilePath,
      extraArgs: f.extraArgs,
      promptTemplate: f.promptTemplate,
      bootstrapPromptTemplate: f.bootstrapPromptTemplate,
    },
    env: {
      values: f.env,
      secretKeys: f.sensitiveEnvNames,
      inherit: f.inheritEnv,
      secretRefs: Object.fromEntries(
        Object.entries(f.envValueFrom).map(([name, ref]) => {
          const [secretName = "", key = ""] = ref.trim().split("/");
          return [name, { name: secretName, key }];
        }),
      ),
    },
    run: {
      timeoutSec: f.timeoutSec,
      graceSec: f.graceSec,
      concurrency: f.concurrencyScope,
      podScheduleTimeoutSec: f.podScheduleTimeoutSec,
      podStartTimeoutSec: f.podStartTimeoutSec,
      keepaliveSec: f.keepaliveSec,
    },
    cluster: { kubeconfig: f.kubeconfig, namespace: f.namespace },
    pod: {
      image: f.image,
      imagePullPolicy: f.imagePullPolicy,
      imagePullSecrets: f.imagePullRefs,
      paperclipContainerName: f.paperclipContainerName,
      serviceAccountName: f.serviceAccountName,
      automountServiceAccountToken: f.automountServiceAccount,
      resources: resolveResources(record, f, issues),
      nodeSelector: f.nodeSelector,
      tolerations: f.tolerations,
      affinity: f.affinity,
      priorityClassName: f.priorityClassName,
      runtimeClassName: f.runtimeClassName,
      labels: f.labels,
      annotations: f.annotations,
      runAsUser: f.runAsUser,
      runAsGroup: f.runAsGroup,
      fsGroup: f.fsGroup,
      readOnlyRootFilesystem: f.readOnlyRootFilesystem,
      ttlSecondsAfterFinished: f.ttlSecondsAfterFinished,
    },
    workspace: {
      mode: f.workspaceMode,
      claimName: f.workspaceClaimName,
      subPath: f.workspaceSubPath,
      mountPath,
      homePath: f.homePath ?? mountPath,
      cwd: f.cwd,
      emptyDirSizeLimit: f.emptyDirSizeLimit,
    },
    cleanup: { retainJobs: f.retainJobs, orphanMaxAgeSec: f.orphanMaxAgeSec },
    paperclipApiUrl: f.paperclipApiUrl,
    probeApiUrl: f.probeApiUrl,
  };
  issues.push(...crossFieldIssues(config));
  assertValid("claude_k8s", issues);
  return { config, warnings: warningsOf(config) };
}

/**
 * `resources` as a nested object and/or the flat keys generic forms write (`resources.limits.memory`); the two
 * must agree. The default applies only when no resources key is set at all.
 */
function resolveResources(record: Record<string, unknown>, f: Fields, issues: ConfigIssue[]): Resources {
  const nested = isAbsent(record.resources) ? undefined : f.resources;
  const out: Resources = { requests: {}, limits: {} };
  let any = false;
  for (const kind of ["requests", "limits"] as const) {
    for (const name of RESOURCE_NAMES) {
      const fromNested = nested?.[kind]?.[name];
      const flat = f[`resources.${kind}.${name}`];
      if (fromNested !== undefined) out[kind][name] = fromNested;
      if (flat !== undefined) {
        if (fromNested !== undefined && fromNested !== flat) {
          issues.push({
            field: `resources.${kind}.${name}`,
            message: `conflicts with resources.${kind}.${name} in the nested resources object`,
          });
        }
        out[kind][name] = flat;
      }
      any ||= fromNested !== undefined || flat !== undefined;
    }
  }
  return any ? out : structuredClone(DEFAULT_RESOURCES);
}

function crossFieldIssues(c: ClaudeK8sConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const fail = (field: string, message: string) => issues.push({ field, message });
  const ws = c.workspace;
  if (ws.mode === "emptyDir" && ws.claimName)
    fail("workspaceClaimName", 'is set but workspaceMode is "emptyDir"');
  if (
    ["/", "/tmp"].includes(ws.mountPath) ||
    isUnder(RUN_FILES_ROOT, ws.mountPath) ||
    isUnder(ws.mountPath, RUN_FILES_ROOT)
  ) {
    fail(
      "workspaceMountPath",
      `must not be /, /tmp or overlap ${RUN_FILES_ROOT} (the run files and the run bundle)`,
    );
  }
  if (!isUnder(ws.homePath, ws.mountPath))
    fail("homePath", `must be inside workspaceMountPath (${ws.mountPath})`);
  if (ws.cwd !== undefined && !isUnder(ws.cwd, ws.mountPath))
    fail("cwd", `must be inside workspaceMountPath (${ws.mountPath})`);
  for (const name of Object.keys(c.env.secretRefs)) {
    if (Object.hasOwn(c.env.values, name))
      fail(`envValueFrom.${name}`, "is also set in env; set it in one place");
  }
  return issues;
}

function warningsOf(c: ClaudeK8sConfig): string[] {
  const set = new Set([...Object.keys(c.env.values), ...c.env.inherit]);
  return c.env.secretKeys
    .filter((name) => !set.has(name))
    .map(
      (name) => `sensitiveEnvNames: ${name} matches no variable of env or inheritEnv, so it protects nothing`,
    );
}

/**
 * An invalid field is left unset by parseFields; it takes its default here so the cross-field rules still check
 * the rest (the config is never used: the issue is thrown).
 */
function withDefaultsForInvalid(parsed: Fields): Fields {
  const out: Record<string, unknown> = { ...parsed };
  for (const def of CLAUDE_K8S_FIELDS) {
    if (out[def.key] === undefined && def.default !== undefined) out[def.key] = structuredClone(def.default);
  }
  return out as Fields;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

export function isUnder(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(`${dir}/`);
}
