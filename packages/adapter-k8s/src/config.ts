import { ConfigReader, isPlainObject } from "./config-reader.js";
import { ConfigError } from "./errors.js";
import {
  isDnsLabel,
  isDnsSubdomain,
  isEnvName,
  isImageReference,
  isLabelValue,
  isQualifiedKey,
  isQuantity,
} from "./k8s-syntax.js";

/** Label and annotation prefixes the adapter owns; operator labels may not use them. */
export const RESERVED_LABEL_PREFIXES = [
  "paperclip.ai/",
  "claude-k8s.paperclip.ai/",
  "app.kubernetes.io/managed-by",
];

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";
export type WorkspaceMode = "auto" | "pvc" | "emptyDir";
export type ConcurrencyScope = "agent" | "task";

export interface ResourceList {
  cpu?: string;
  memory?: string;
  "ephemeral-storage"?: string;
}

export interface Resources {
  requests: ResourceList;
  limits: ResourceList;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export type KubeconfigSource = { kind: "path"; path: string } | { kind: "content"; content: string };

/** The adapter config, parsed once at the edge of execute()/testEnvironment(). */
export interface ClaudeK8sConfig {
  claude: {
    model: string | undefined;
    effort: string | undefined;
    maxTurnsPerRun: number;
    dangerouslySkipPermissions: boolean;
    instructionsFilePath: string | undefined;
    extraArgs: string[];
    promptTemplate: string | undefined;
    bootstrapPromptTemplate: string | undefined;
  };
  env: {
    /** Values from `config.env` (Paperclip has already resolved its secret bindings into plain values). */
    values: Record<string, string>;
    /** Keys the operator marks as sensitive on top of the built-in detection. */
    secretKeys: string[];
    /** Server environment variables the run may inherit (nothing is inherited otherwise). */
    inherit: string[];
    /** Env vars taken straight from existing Secrets in the Job's namespace. */
    secretRefs: Record<string, SecretKeyRef>;
  };
  run: {
    timeoutSec: number;
    graceSec: number;
    concurrency: ConcurrencyScope;
    podScheduleTimeoutSec: number;
    podStartTimeoutSec: number;
    keepaliveSec: number;
  };
  cluster: {
    kubeconfig: KubeconfigSource | undefined;
    namespace: string | undefined;
  };
  pod: {
    image: string | undefined;
    imagePullPolicy: ImagePullPolicy;
    imagePullSecrets: string[] | undefined;
    paperclipContainerName: string;
    serviceAccountName: string | undefined;
    automountServiceAccountToken: boolean;
    resources: Resources;
    nodeSelector: Record<string, string> | undefined;
    tolerations: Record<string, unknown>[] | undefined;
    affinity: Record<string, unknown> | undefined;
    priorityClassName: string | undefined;
    runtimeClassName: string | undefined;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    runAsUser: number;
    runAsGroup: number;
    fsGroup: number | undefined;
    readOnlyRootFilesystem: boolean;
    ttlSecondsAfterFinished: number;
  };
  workspace: {
    mode: WorkspaceMode;
    claimName: string | undefined;
    subPath: string | undefined;
    mountPath: string;
    homePath: string;
    cwd: string | undefined;
    emptyDirSizeLimit: string | undefined;
  };
  cleanup: {
    retainJobs: boolean;
    orphanMaxAgeSec: number;
  };
  /** Paperclip's API as reachable from the pod (PAPERCLIP_API_URL inside the run). */
  paperclipApiUrl: string | undefined;
}

export const DEFAULTS = {
  maxTurnsPerRun: 0,
  dangerouslySkipPermissions: true,
  timeoutSec: 0,
  graceSec: 20,
  podScheduleTimeoutSec: 300,
  podStartTimeoutSec: 600,
  keepaliveSec: 30,
  imagePullPolicy: "IfNotPresent" as ImagePullPolicy,
  paperclipContainerName: "paperclip",
  resources: { requests: { cpu: "250m", memory: "1536Mi" }, limits: { memory: "8Gi" } } as Resources,
  runAsUser: 1000,
  runAsGroup: 1000,
  ttlSecondsAfterFinished: 3600,
  mountPath: "/paperclip",
  orphanMaxAgeSec: 24 * 3600,
};

const RESOURCE_NAMES = ["cpu", "memory", "ephemeral-storage"] as const;

/** Parses and validates the raw adapterConfig. Throws one ConfigError naming every invalid field. */
export function parseConfig(raw: unknown): ClaudeK8sConfig {
  if (!isPlainObject(raw)) throw new ConfigError([{ field: "(config)", message: "expected an object" }]);
  const r = new ConfigReader(raw);
  const config: ClaudeK8sConfig = {
    claude: readClaude(r),
    env: readEnv(r),
    run: readRun(r),
    cluster: readCluster(r),
    pod: readPod(r),
    workspace: readWorkspace(r),
    cleanup: {
      retainJobs: r.boolean("retainJobs") ?? false,
      orphanMaxAgeSec: r.integer("orphanMaxAgeSec", 10) ?? DEFAULTS.orphanMaxAgeSec,
    },
    paperclipApiUrl: r.string("paperclipApiUrl", (v) =>
      /^https?:\/\/[^\s/]+/.test(v) ? undefined : "must be an http(s) URL reachable from the pods",
    ),
  };
  checkCrossField(r, config);
  if (r.issues.length > 0) throw new ConfigError(r.issues);
  return config;
}

function readClaude(r: ConfigReader): ClaudeK8sConfig["claude"] {
  const extraArgs =
    r.stringList("extraArgs") ??
    (typeof r.value("extraArgs") === "string" ? undefined : r.stringList("args")) ??
    [];
  return {
    model: r.string("model", (v) => (/\s/.test(v) ? "must not contain whitespace" : undefined)),
    effort: r.string("effort", (v) =>
      /^[a-z]+$/.test(v) ? undefined : "must be a lower-case word like high",
    ),
    maxTurnsPerRun: r.integer("maxTurnsPerRun", 0) ?? DEFAULTS.maxTurnsPerRun,
    dangerouslySkipPermissions:
      r.boolean("dangerouslySkipPermissions") ?? DEFAULTS.dangerouslySkipPermissions,
    instructionsFilePath: r.string("instructionsFilePath"),
    extraArgs,
    promptTemplate: rawText(r, "promptTemplate"),
    bootstrapPromptTemplate: rawText(r, "bootstrapPromptTemplate"),
  };
}

function rawText(r: ConfigReader, key: string): string | undefined {
  const v = r.value(key);
  if (v === undefined) return undefined;
  if (typeof v !== "string") return r.fail(key, "expected a string");
  return v;
}

function readEnv(r: ConfigReader): ClaudeK8sConfig["env"] {
  const values = readEnvValues(r);
  const envName = (v: string) => (isEnvName(v) ? undefined : "is not a valid environment variable name");
  const secretRefs: Record<string, SecretKeyRef> = {};
  for (const [name, ref] of Object.entries(r.stringMap("envSecretRefs") ?? {})) {
    const field = `envSecretRefs.${name}`;
    const [secretName, key, ...rest] = ref.split("/");
    if (!isEnvName(name)) r.fail(field, "is not a valid environment variable name");
    else if (!secretName || !key || rest.length > 0 || !isDnsSubdomain(secretName)) {
      r.fail(field, 'must be "<secret-name>/<key>"');
    } else if (!/^[-._a-zA-Z0-9]+$/.test(key)) r.fail(field, "has an invalid Secret key");
    else secretRefs[name] = { name: secretName, key };
  }
  return {
    values,
    secretKeys: r.stringList("secretEnvKeys", envName) ?? [],
    inherit: r.stringList("inheritEnv", envName) ?? [],
    secretRefs,
  };
}

/**
 * `env`: values are strings (numbers and booleans are stringified) or Paperclip's `{ type?, value }` bindings,
 * already resolved by the server. PAPERCLIP_API_KEY is never taken from config (the run's own token is used).
 */
function readEnvValues(r: ConfigReader): Record<string, string> {
  const raw = r.value("env");
  if (raw === undefined) return {};
  const obj = typeof raw === "string" ? r.stringMap("env") : raw;
  if (!isPlainObject(obj)) return r.fail("env", "expected an object of NAME: value") ?? {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(obj)) {
    const field = `env.${name}`;
    if (!isEnvName(name)) r.fail(field, "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
    else if (name === "PAPERCLIP_API_KEY") r.fail(field, "is set by the run itself and cannot be configured");
    else if (typeof value === "string") out[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[name] = String(value);
    else if (isPlainObject(value) && typeof value.value === "string") out[name] = value.value;
    else if (value !== undefined && value !== null) {
      r.fail(field, "expected a string or { value: string } (an unresolved secret binding?)");
    }
  }
  return out;
}

function readRun(r: ConfigReader): ClaudeK8sConfig["run"] {
  return {
    // Paperclip's convention: 0 (or a negative value) means no timeout.
    timeoutSec: Math.max(0, r.integer("timeoutSec", -1) ?? DEFAULTS.timeoutSec),
    graceSec: r.integer("graceSec", 0, 3600) ?? DEFAULTS.graceSec,
    concurrency: r.enumOf("concurrencyScope", ["agent", "task"] as const) ?? "agent",
    podScheduleTimeoutSec: r.integer("podScheduleTimeoutSec", 1) ?? DEFAULTS.podScheduleTimeoutSec,
    podStartTimeoutSec: r.integer("podStartTimeoutSec", 1) ?? DEFAULTS.podStartTimeoutSec,
    keepaliveSec: r.integer("keepaliveSec", 5, 240) ?? DEFAULTS.keepaliveSec,
  };
}

function readCluster(r: ConfigReader): ClaudeK8sConfig["cluster"] {
  const kc = r.value("kubeconfig");
  let kubeconfig: KubeconfigSource | undefined;
  if (kc !== undefined) {
    if (typeof kc !== "string") r.fail("kubeconfig", "expected a file path or kubeconfig YAML");
    else if (/\n/.test(kc.trim()) || /^\s*(\{|(apiVersion|clusters|kind)\s*:)/.test(kc)) {
      kubeconfig = { kind: "content", content: kc };
    } else if (!kc.trim().startsWith("/"))
      r.fail("kubeconfig", "must be an absolute path or kubeconfig YAML");
    else kubeconfig = { kind: "path", path: kc.trim() };
  }
  return {
    kubeconfig,
    namespace: r.string("namespace", (v) => (isDnsLabel(v) ? undefined : "is not a valid namespace name")),
  };
}

const dnsSubdomain = (what: string) => (v: string) =>
  isDnsSubdomain(v) ? undefined : `is not a valid ${what} name`;

function readPod(r: ConfigReader): ClaudeK8sConfig["pod"] {
  return {
    image: r.string("image", (v) =>
      isImageReference(v) ? undefined : "is not a valid image reference (registry/repository[:tag][@digest])",
    ),
    imagePullPolicy:
      r.enumOf("imagePullPolicy", ["Always", "IfNotPresent", "Never"] as const) ?? DEFAULTS.imagePullPolicy,
    imagePullSecrets: r.stringList("imagePullSecrets", dnsSubdomain("Secret")),
    paperclipContainerName:
      r.string("paperclipContainerName", (v) =>
        isDnsLabel(v) ? undefined : "is not a valid container name",
      ) ?? DEFAULTS.paperclipContainerName,
    serviceAccountName: r.string("serviceAccountName", dnsSubdomain("ServiceAccount")),
    automountServiceAccountToken: r.boolean("automountServiceAccountToken") ?? false,
    resources: readResources(r),
    nodeSelector: readLabelMap(r, "nodeSelector", false),
    tolerations: readObjectList(r, "tolerations"),
    affinity: r.json("affinity", "object"),
    priorityClassName: r.string("priorityClassName", dnsSubdomain("PriorityClass")),
    runtimeClassName: r.string("runtimeClassName", dnsSubdomain("RuntimeClass")),
    labels: readLabelMap(r, "labels", true) ?? {},
    annotations: readAnnotations(r),
    runAsUser: r.integer("runAsUser", 1, 2 ** 31 - 1) ?? DEFAULTS.runAsUser,
    runAsGroup: r.integer("runAsGroup", 0, 2 ** 31 - 1) ?? DEFAULTS.runAsGroup,
    fsGroup: r.integer("fsGroup", 0, 2 ** 31 - 1),
    readOnlyRootFilesystem: r.boolean("readOnlyRootFilesystem") ?? true,
    ttlSecondsAfterFinished: r.integer("ttlSecondsAfterFinished", 0) ?? DEFAULTS.ttlSecondsAfterFinished,
  };
}

/** `resources` as a nested object, or as the flat dotted keys generic forms produce (`resources.limits.memory`). */
function readResources(r: ConfigReader): Resources {
  const nested = r.json("resources", "object");
  const out: Resources = { requests: {}, limits: {} };
  let any = false;
  for (const kind of ["requests", "limits"] as const) {
    const block = nested?.[kind];
    if (block !== undefined && !isPlainObject(block)) {
      r.fail(`resources.${kind}`, "expected an object");
      continue;
    }
    for (const [name, value] of Object.entries(block ?? {})) {
      if (!(RESOURCE_NAMES as readonly string[]).includes(name)) {
        r.fail(`resources.${kind}.${name}`, `unknown resource; use ${RESOURCE_NAMES.join(", ")}`);
        continue;
      }
      const q = typeof value === "number" ? String(value) : value;
      if (typeof q !== "string" || !isQuantity(q)) {
        r.fail(`resources.${kind}.${name}`, "is not a Kubernetes quantity (e.g. 500m, 2Gi)");
        continue;
      }
      out[kind][name as keyof ResourceList] = q;
      any = true;
    }
    for (const name of RESOURCE_NAMES) {
      const key = `resources.${kind}.${name}`;
      const flat = r.string(key, (v) =>
        isQuantity(v) ? undefined : "is not a Kubernetes quantity (e.g. 500m, 2Gi)",
      );
      if (flat === undefined) continue;
      const fromNested = out[kind][name];
      if (fromNested !== undefined && fromNested !== flat) {
        r.fail(key, `conflicts with resources.${kind}.${name} in the nested resources object`);
      }
      out[kind][name] = flat;
      any = true;
    }
  }
  return any ? out : structuredClone(DEFAULTS.resources);
}

function readLabelMap(r: ConfigReader, key: string, user: boolean): Record<string, string> | undefined {
  const map = r.stringMap(key);
  if (!map) return undefined;
  for (const [k, v] of Object.entries(map)) {
    if (!isQualifiedKey(k)) r.fail(`${key}.${k}`, "is not a valid label key");
    else if (!isLabelValue(v))
      r.fail(`${key}.${k}`, "value is not a valid label value (63 chars, alphanumeric, -_.)");
    else if (user && isReservedKey(k)) r.fail(`${key}.${k}`, "uses a prefix reserved for the adapter");
  }
  return map;
}

function readAnnotations(r: ConfigReader): Record<string, string> {
  const map = r.stringMap("annotations") ?? {};
  for (const k of Object.keys(map)) {
    if (!isQualifiedKey(k)) r.fail(`annotations.${k}`, "is not a valid annotation key");
    else if (isReservedKey(k)) r.fail(`annotations.${k}`, "uses a prefix reserved for the adapter");
  }
  return map;
}

function readObjectList(r: ConfigReader, key: string): Record<string, unknown>[] | undefined {
  const list = r.json(key, "array");
  if (!list) return undefined;
  const out: Record<string, unknown>[] = [];
  for (const [i, item] of list.entries()) {
    if (!isPlainObject(item)) r.fail(`${key}[${i}]`, "expected an object");
    else out.push(item);
  }
  return out;
}

export function isReservedKey(key: string): boolean {
  return RESERVED_LABEL_PREFIXES.some((p) => key.startsWith(p));
}

function readWorkspace(r: ConfigReader): ClaudeK8sConfig["workspace"] {
  const absolute = (v: string) =>
    v.startsWith("/") && !v.split("/").includes("..") ? undefined : "must be an absolute path without ..";
  const mountPath = r.string("workspaceMountPath", absolute) ?? DEFAULTS.mountPath;
  return {
    mode: r.enumOf("workspaceMode", ["auto", "pvc", "emptyDir"] as const) ?? "auto",
    claimName: r.string("workspaceClaimName", dnsSubdomain("PersistentVolumeClaim")),
    subPath: r.string("workspaceSubPath", (v) =>
      v.startsWith("/") || v.split("/").includes("..") ? "must be a relative path without .." : undefined,
    ),
    mountPath: mountPath.replace(/\/+$/, "") || "/",
    homePath: (r.string("homePath", absolute) ?? mountPath).replace(/\/+$/, "") || "/",
    cwd: r.string("cwd", absolute),
    emptyDirSizeLimit: r.string("emptyDirSizeLimit", (v) =>
      isQuantity(v) ? undefined : "is not a quantity",
    ),
  };
}

function checkCrossField(r: ConfigReader, c: ClaudeK8sConfig): void {
  const ws = c.workspace;
  if (ws.mode === "emptyDir" && ws.claimName) {
    r.fail("workspaceClaimName", 'is set but workspaceMode is "emptyDir"');
  }
  const reserved = ["/", "/tmp", "/var/run/paperclip/run", "/var/run/paperclip"];
  if (
    reserved.includes(ws.mountPath) ||
    isUnder("/var/run/paperclip/run", ws.mountPath) ||
    isUnder(ws.mountPath, "/var/run/paperclip/run")
  ) {
    r.fail(
      "workspaceMountPath",
      `must not be /, /tmp or overlap ${"/var/run/paperclip/run"} (the run files)`,
    );
  }
  if (!isUnder(ws.homePath, ws.mountPath))
    r.fail("homePath", `must be inside workspaceMountPath (${ws.mountPath})`);
  if (ws.cwd !== undefined && !isUnder(ws.cwd, ws.mountPath)) {
    r.fail("cwd", `must be inside workspaceMountPath (${ws.mountPath})`);
  }
  for (const name of Object.keys(c.env.secretRefs)) {
    if (name in c.env.values) r.fail(`envSecretRefs.${name}`, "is also set in env; set it in one place");
  }
  if (c.run.timeoutSec > 0 && c.run.timeoutSec < 10)
    r.fail("timeoutSec", "must be 0 (no timeout) or at least 10");
}

export function isUnder(path: string, dir: string): boolean {
  return dir === "/" || path === dir || path.startsWith(`${dir}/`);
}
