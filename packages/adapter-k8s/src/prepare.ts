import { readFile } from "node:fs/promises";
import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { buildClaudeArgs } from "@paperclip-k8s/claude-parse";
import { shortHash } from "@paperclip-k8s/k8s-runtime";
import {
  type AdapterExecutionContext,
  type BillingType,
  buildRunEnv,
  decideResume,
  isLoopbackUrl,
  isSensitiveEnvKey,
  type ResumeDecision,
  type RunScope,
  readStoredSession,
  renderPrompt,
  resolveBillingType,
  resolvePaperclipApiUrl,
  sessionScopeParams,
} from "@paperclip-k8s/run-core";
import type { BundleObjects } from "./bundle-objects.js";
import type { ClusterContext } from "./cluster.js";
import { type ClaudeK8sConfig, isUnder } from "./config.js";
import { describeEnvForLogs, planEnv } from "./env-plan.js";
import { ConfigError } from "./errors.js";
import { type RunIdentity, runIdentity } from "./identity.js";
import { assertNoSecretLiterals, buildJobManifest, type ResolvedWorkspace } from "./manifest.js";
import { type K8sRunFiles, planK8sRunFiles } from "./run-files.js";
import { type PlannedSecret, planRunSecrets } from "./run-secret.js";

/** Everything one run will create, decided before anything is created. */
export interface RunPlan {
  identity: RunIdentity;
  namespace: string;
  job: V1Job;
  secrets: PlannedSecret[];
  /** The run bundle's ConfigMaps, ensured before the Job is created; undefined when nothing is shipped. */
  bundleObjects: BundleObjects | undefined;
  /** Values that must never appear in a pod spec, an Event or the log (for the manifest assertion and redaction). */
  secretValues: string[];
  argv: string[];
  cwd: string;
  resume: ResumeDecision;
  /** Stored with the session id in the result. */
  sessionParams: Record<string, unknown>;
  workspace: ResolvedWorkspace;
  envForLogs: Record<string, string>;
  prompt: string;
  billingType: BillingType;
  /** Things the operator should know, written as status lines. */
  notes: string[];
}

export interface PrepareDeps {
  serverEnv: Readonly<Record<string, string | undefined>>;
  readText: (path: string) => Promise<Buffer>;
}

export const defaultPrepareDeps: PrepareDeps = { serverEnv: process.env, readText: (p) => readFile(p) };

/**
 * Where this run's session lives, from the config and the Paperclip pod, and what it ships (a changed bundle or MCP
 * server set starts a fresh session): what the core's resume decision needs.
 */
export function resolveScope(
  ctx: AdapterExecutionContext,
  config: ClaudeK8sConfig,
  cluster: ClusterContext,
  files?: Pick<K8sRunFiles, "prepared" | "mcp">,
): RunScope {
  const workspace = resolveWorkspace(config, cluster, []);
  return {
    ...(files
      ? { promptBundleKey: files.prepared.bundle.digest, mcpServerIdentity: files.mcp.identity }
      : {}),
    cwd: resolveCwd(ctx, config),
    claudeHome:
      config.env.values.CLAUDE_CONFIG_DIR ?? `${config.workspace.homePath.replace(/\/$/, "")}/.claude`,
    instructionsFilePath: config.claude.instructionsFilePath,
    persistentHome: workspace.kind === "pvc",
  };
}

/**
 * Plans the Job of one attempt; creates nothing. `resume` is run-core's decision for the attempt (the lifecycle
 * passes it; standalone callers get the same decision from the stored session). `planned` is the run's
 * {@link planK8sRunFiles} (read once per run; standalone callers get it read here, its warnings as notes).
 */
export async function prepareRun(
  ctx: AdapterExecutionContext,
  config: ClaudeK8sConfig,
  cluster: ClusterContext,
  deps: PrepareDeps = defaultPrepareDeps,
  decided?: ResumeDecision,
  planned?: K8sRunFiles,
): Promise<RunPlan> {
  const notes: string[] = [];
  const pod = resolvePodInputs(config, cluster, notes);
  const files = planned ?? (await planK8sRunFiles(ctx, config, deps.serverEnv));
  if (!planned) notes.push(...files.warnings);
  notes.push(...files.notes);
  const scope = resolveScope(ctx, config, cluster, files);
  const cwd = scope.cwd;
  const resume = decided ?? decideResume(ctx.runtime, scope);

  const identity = runIdentity({
    runId: ctx.runId,
    agentId: ctx.agent.id,
    agentName: ctx.agent.name,
    companyId: ctx.agent.companyId,
    taskKey: ctx.runtime.taskKey,
    sessionId: readStoredSession(ctx.runtime)?.sessionId ?? null,
    scope: config.run.concurrency,
  });

  const argv = [
    "claude",
    ...buildClaudeArgs({
      model: config.claude.model,
      effort: config.claude.effort as Parameters<typeof buildClaudeArgs>[0]["effort"],
      maxTurnsPerRun: config.claude.maxTurnsPerRun,
      dangerouslySkipPermissions: config.claude.dangerouslySkipPermissions,
      // the mounted bundle's entry, with claude_local's path directive naming the mounted directory
      instructionsFilePath: files.layout.appendSystemPromptFile,
      addDirs: files.layout.addDirs,
      mcpConfigPath: files.mcpConfigPath,
      resumeSessionId: resume.resume ? resume.sessionId : undefined,
      extraArgs: config.claude.extraArgs,
    }),
  ];

  const apiUrl = resolvePaperclipApiUrl(config.paperclipApiUrl, deps.serverEnv)?.url;
  if (!apiUrl || isLoopbackUrl(apiUrl))
    notes.push(
      `PAPERCLIP_API_URL is ${apiUrl ?? "unknown"}, which no pod can reach: set paperclipApiUrl to the Paperclip Service URL`,
    );
  const runEnv = buildRunEnv({
    runId: ctx.runId,
    agent: ctx.agent,
    context: ctx.context,
    authToken: ctx.authToken,
    apiUrl,
    userEnv: config.env.values,
    workspaceCwd: cwd,
  });
  const env = planEnv({
    runEnv,
    podEnv: { HOME: config.workspace.homePath, TMPDIR: "/tmp" },
    config,
    serverEnv: deps.serverEnv,
    serverContainerEnv: cluster.ownPod.info
      ? containerEnv(cluster.ownPod.pod, config.pod.paperclipContainerName)
      : undefined,
    isSensitive: isSensitiveEnvKey,
  });
  for (const name of env.missingInherited)
    notes.push(`inheritEnv: ${name} is not set on the Paperclip server`);

  const prompt = renderPrompt({
    runId: ctx.runId,
    agent: { ...ctx.agent },
    context: ctx.context,
    promptTemplate: config.claude.promptTemplate,
    bootstrapPromptTemplate: config.claude.bootstrapPromptTemplate,
    resumedSession: resume.resume,
  });
  const { secrets } = planRunSecrets({
    // Per run, never per slot: the kubelet's Secret cache may still serve a deleted same-named Secret of the slot's
    // previous run to a new pod (seen: the next run's pod got the earlier run's PAPERCLIP_API_KEY).
    baseName: runSecretBaseName(identity.jobName, ctx.runId),
    sensitiveEnv: env.sensitive,
    files: files.secretFiles,
    prompt: Buffer.from(prompt, "utf8"),
  });
  const job = buildJobManifest({
    name: identity.jobName,
    namespace: cluster.namespace,
    labels: identity.labels,
    annotations: identity.annotations,
    config,
    ...pod,
    cwd,
    argv,
    env: env.entries,
    runSecretNames: secrets.map((s) => s.name),
    bundleSources: files.objects?.sources ?? [],
  });
  const secretValues = [...Object.values(env.sensitive).filter((v) => v.length >= 4), ...files.secretValues];
  assertNoSecretLiterals(
    job,
    secretValues,
    (name) => config.env.secretKeys.includes(name) || isSensitiveEnvKey(name),
  );

  const billingEnv: Record<string, string> = { ...runEnv };
  for (const e of env.entries) if (e.kind !== "literal") billingEnv[e.name] ??= "set";
  return {
    identity,
    namespace: cluster.namespace,
    job,
    secrets,
    bundleObjects: files.objects,
    secretValues,
    argv,
    cwd,
    resume,
    sessionParams: { ...sessionScopeParams(scope) },
    workspace: pod.workspace,
    envForLogs: describeEnvForLogs(env.entries, identity.jobName),
    prompt,
    billingType: resolveBillingType(billingEnv),
    notes,
  };
}

/** Image, pull secrets, DNS and scheduling: configured values win, else the Paperclip pod's. */
function resolvePodInputs(config: ClaudeK8sConfig, cluster: ClusterContext, notes: string[]) {
  const own = cluster.ownPod.info;
  const image = config.pod.image ?? own?.image;
  if (!image) {
    const why = cluster.ownPod.info ? "" : ` (${cluster.ownPod.reason})`;
    throw new ConfigError([
      { field: "image", message: `is required when it cannot be taken from the Paperclip pod${why}` },
    ]);
  }
  return {
    image,
    imagePullSecrets:
      config.pod.imagePullSecrets ?? own?.imagePullSecrets.map((s) => s.name ?? "").filter(Boolean) ?? [],
    dnsPolicy: own?.dnsPolicy,
    dnsConfig: own?.dnsConfig,
    nodeSelector:
      config.pod.nodeSelector ??
      (own && Object.keys(own.nodeSelector).length ? { ...own.nodeSelector } : undefined),
    tolerations: (config.pod.tolerations ?? (own?.tolerations.length ? [...own.tolerations] : undefined)) as
      | NonNullable<Parameters<typeof buildJobManifest>[0]["tolerations"]>
      | undefined,
    workspace: resolveWorkspace(config, cluster, notes),
  };
}

function resolveWorkspace(
  config: ClaudeK8sConfig,
  cluster: ClusterContext,
  notes: string[],
): ResolvedWorkspace {
  const ws = config.workspace;
  if (ws.mode === "emptyDir") return { kind: "emptyDir", sizeLimit: ws.emptyDirSizeLimit };
  if (ws.claimName) return { kind: "pvc", claimName: ws.claimName, subPath: ws.subPath };
  const inherited = cluster.ownPod.info ? pvcMountedAt(cluster.ownPod.pod, config) : undefined;
  if (inherited) return inherited;
  if (ws.mode === "pvc") {
    throw new ConfigError([
      {
        field: "workspaceClaimName",
        message: `is required: workspaceMode is "pvc" and the Paperclip pod has no PVC mounted at ${ws.mountPath}`,
      },
    ]);
  }
  notes.push(
    "workspace is an emptyDir: files and Claude sessions do not survive the run (set workspaceClaimName)",
  );
  return { kind: "emptyDir", sizeLimit: ws.emptyDirSizeLimit };
}

function pvcMountedAt(pod: V1Pod, config: ClaudeK8sConfig): ResolvedWorkspace | undefined {
  const container = pod.spec?.containers.find((c) => c.name === config.pod.paperclipContainerName);
  const mount = container?.volumeMounts?.find(
    (m) => m.mountPath.replace(/\/+$/, "") === config.workspace.mountPath,
  );
  const volume = mount && pod.spec?.volumes?.find((v) => v.name === mount.name);
  const claimName = volume?.persistentVolumeClaim?.claimName;
  if (!mount || !claimName) return undefined;
  return { kind: "pvc", claimName, subPath: config.workspace.subPath ?? mount.subPath };
}

function containerEnv(pod: V1Pod, name: string) {
  return pod.spec?.containers.find((c) => c.name === name)?.env ?? [];
}

/** The configured cwd, else Paperclip's workspace cwd when it lies on the mounted volume, else a per-agent dir. */
function resolveCwd(ctx: AdapterExecutionContext, config: ClaudeK8sConfig): string {
  if (config.workspace.cwd) return config.workspace.cwd;
  const ws = ctx.context.paperclipWorkspace;
  const fromPaperclip =
    typeof ws === "object" && ws !== null && typeof (ws as { cwd?: unknown }).cwd === "string"
      ? (ws as { cwd: string }).cwd.replace(/\/+$/, "") || "/"
      : undefined;
  if (
    fromPaperclip &&
    isUnder(fromPaperclip, config.workspace.mountPath) &&
    !fromPaperclip.split("/").includes("..")
  ) {
    return fromPaperclip;
  }
  const agentDir = ctx.agent.id.replace(/[^A-Za-z0-9._-]/g, "_");
  return `${config.workspace.mountPath === "/" ? "" : config.workspace.mountPath}/workspaces/${agentDir}`;
}

/** The run's Secret name: the Job's (slot) name and a hash of the run id, so no two runs share a Secret name. */
export function runSecretBaseName(jobName: string, runId: string): string {
  return `${jobName}-r${shortHash(`run:${runId}`, 8)}`;
}
