import { describeAccess, isNotFound, normalizeApiError } from "@paperclip-k8s/k8s-runtime";
import {
  type AdapterEnvironmentCheck,
  type AdapterEnvironmentTestContext,
  type AdapterEnvironmentTestResult,
  type AdapterExecutionContext,
  type ConfigIssue,
  environmentTestResult,
  RunError,
  resolveInstructionsBundle,
} from "@paperclip-k8s/run-core";
import { apiProbeCheck } from "./api-probe.js";
import { type ClusterContext, connect } from "./cluster.js";
import { type ClaudeK8sConfig, imageHasPinnedVersion, parseConfig } from "./config.js";
import {
  apiUrlCheck,
  clusterConnectionCheck,
  credentialCheck,
  isApiUrlNote,
  RUNTIME_PAGE,
  titled,
} from "./environment-checks.js";
import { asAdapterError } from "./execute.js";
import { ADAPTER_TYPE } from "./identity.js";
import { type PlanFinding, preflightPlan } from "./preflight.js";
import { defaultPrepareDeps, prepareRun, type RunPlan } from "./prepare.js";
import { requiredAccess } from "./rbac.js";
import { planK8sRunFiles } from "./run-files.js";

type Check = AdapterEnvironmentCheck;
const info = (code: string, message: string, extra: Partial<Check> = {}): Check => ({
  code,
  level: "info",
  message,
  ...extra,
});
const warn = (code: string, message: string, extra: Partial<Check> = {}): Check => ({
  code,
  level: "warn",
  message,
  ...extra,
});
const fail = (code: string, message: string, extra: Partial<Check> = {}): Check => ({
  code,
  level: "error",
  message,
  ...extra,
});

export interface TestEnvironmentDeps {
  connect: (config: ClaudeK8sConfig) => Promise<ClusterContext>;
}

/**
 * Checks, in order: config, API reachable, namespace, RBAC (one SelfSubjectAccessReview per verb used, each
 * missing one named), the Paperclip pod, image reference, the run's preflight (referenced Secrets and keys,
 * ServiceAccount, PriorityClass, RuntimeClass: a missing one is an error naming the field), image pull Secrets, PVC,
 * a server-side dry-run of a real Job built from this config (Pod Security admission, quotas, webhooks), and, with
 * probeApiUrl, a probe Job that fetches the Paperclip API URL from a pod (api-probe.ts).
 */
export function createTestEnvironment(deps: TestEnvironmentDeps = { connect }) {
  return async function testEnvironment(
    ctx: AdapterEnvironmentTestContext,
  ): Promise<AdapterEnvironmentTestResult> {
    const checks: Check[] = [];
    const done = () => environmentTestResult(ADAPTER_TYPE, checks);

    let config: ClaudeK8sConfig;
    try {
      const parsed = parseConfig(ctx.config);
      config = parsed.config;
      checks.push(info("k8s_config_valid", "adapter config is valid"));
      for (const warning of parsed.warnings) checks.push(warn("k8s_config_warning", warning));
    } catch (error) {
      const issues = error instanceof RunError ? ((error.failure.meta?.issues ?? []) as ConfigIssue[]) : [];
      for (const i of issues) {
        checks.push(
          fail("k8s_config_invalid", `${titled(i.field)}: ${i.message}`, {
            hint: `Fix it on ${RUNTIME_PAGE}.`,
          }),
        );
      }
      if (issues.length === 0) checks.push(fail("k8s_config_invalid", String(error)));
      return done();
    }
    const instructions = await checkInstructions(ctx, config);
    if (instructions) checks.push(instructions);
    if (instructions?.level === "error") return done();
    checks.push(credentialCheck(config));
    checks.push(apiUrlCheck(config));

    let cluster: ClusterContext;
    try {
      cluster = await deps.connect(config);
      const version = await cluster.serverVersion();
      checks.push(
        info("k8s_api_reachable", `API server ${cluster.server} reachable (Kubernetes ${version})`),
      );
    } catch (error) {
      // nothing to connect with yet (set on the runtime page after hiring): a warning naming the fields
      const unconfigured = clusterConnectionCheck(config);
      if (unconfigured) {
        checks.push(unconfigured);
        return done();
      }
      checks.push(
        fail("k8s_api_unreachable", asAdapterError(error).message, {
          hint: `Check ${titled("kubeconfig")} on ${RUNTIME_PAGE}, or the service account of Paperclip's pod.`,
        }),
      );
      return done();
    }

    checks.push(await checkNamespace(cluster));
    checks.push(...(await checkAccess(cluster)));
    checks.push(
      cluster.ownPod.info
        ? info(
            "k8s_paperclip_pod",
            `Paperclip runs in pod ${cluster.ownPod.info.namespace}/${cluster.ownPod.info.podName}`,
          )
        : info(
            "k8s_paperclip_pod_unknown",
            `not running in a pod: nothing is inherited (${cluster.ownPod.reason})`,
          ),
    );

    let plan: RunPlan | undefined;
    try {
      // The probe run has no real agent id, so its instructions would be refused: they are checked above instead.
      const probeConfig = { ...config, claude: { ...config.claude, instructionsFilePath: undefined } };
      const probe = probeContext(ctx);
      const files = await planK8sRunFiles(probe, probeConfig, defaultPrepareDeps.serverEnv);
      plan = await prepareRun(probe, probeConfig, cluster, defaultPrepareDeps, undefined, files);
      // the run files' notes say what the run gets (bundle, MCP servers); their warnings and the pod's notes are
      // problems
      const summaries = new Set(files.notes);
      for (const note of plan.notes) {
        if (isApiUrlNote(note)) continue;
        checks.push(summaries.has(note) ? info("k8s_run_files", note) : warn("k8s_run_note", note));
      }
      for (const warning of files.warnings) checks.push(warn("k8s_run_note", warning));
    } catch (error) {
      checks.push(unbuildable(error));
      return done();
    }
    checks.push(checkImage(config, plan));
    checks.push(...(await checkPreflight(cluster, config, plan)));
    checks.push(...(await checkReferences(cluster, config, plan)));
    const dry = await dryRun(cluster, plan);
    checks.push(dry);
    // opt-in: a real pod asks the Paperclip API URL the agent would get (only once the Job is known to be admitted)
    if (config.probeApiUrl && dry.level !== "error") {
      checks.push(
        await apiProbeCheck(
          cluster,
          plan.job,
          config.paperclipApiUrl,
          defaultPrepareDeps.serverEnv,
          (key) => `${titled(key)} on ${RUNTIME_PAGE}`,
        ),
      );
    }
    return done();
  };
}

/**
 * `instructionsFilePath` under run-core's rule, as a run would read it. Paperclip gives testEnvironment no agent
 * id, so any agent's managed bundle of the company (or an operator-allowed root) counts.
 */
async function checkInstructions(
  ctx: AdapterEnvironmentTestContext,
  config: ClaudeK8sConfig,
): Promise<Check | undefined> {
  try {
    const bundle = await resolveInstructionsBundle({
      instructionsFilePath: config.claude.instructionsFilePath,
      adapterType: ADAPTER_TYPE,
      companyId: ctx.companyId,
      serverEnv: defaultPrepareDeps.serverEnv,
    });
    if (!bundle) return undefined;
    if (bundle.kind === "missing") {
      return warn(
        "k8s_instructions_missing",
        `instructions file ${bundle.message}; runs continue without it`,
      );
    }
    return info(
      "k8s_instructions",
      `instructions ${bundle.entryPath} (${bundle.entry.content.length} bytes; ${bundle.siblings.length} sibling files)`,
    );
  } catch (error) {
    return fail("k8s_config_invalid", error instanceof Error ? error.message : String(error));
  }
}

async function checkNamespace(cluster: ClusterContext): Promise<Check> {
  try {
    await cluster.getNamespace();
    return info("k8s_namespace", `namespace ${cluster.namespace} exists`);
  } catch (error) {
    const api = normalizeApiError(error);
    if (api.status === 404)
      return fail("k8s_namespace_missing", `namespace ${cluster.namespace} does not exist`);
    if (api.status === 403) {
      return warn(
        "k8s_namespace_unverified",
        `cannot read namespace ${cluster.namespace} (no cluster-scope permission); assuming it exists`,
      );
    }
    return fail("k8s_namespace_error", `reading namespace ${cluster.namespace}: ${api.message}`);
  }
}

async function checkAccess(cluster: ClusterContext): Promise<Check[]> {
  try {
    const missing = await cluster.findMissingAccess(requiredAccess(cluster.namespace));
    if (missing.length === 0)
      return [info("k8s_rbac", `all required permissions granted in ${cluster.namespace}`)];
    return missing.map((m) =>
      fail("k8s_rbac_missing", `missing permission: ${describeAccess(m)}`, {
        hint: "apply packages/adapter-k8s/deploy/rbac.yaml (Role + RoleBinding) for the Paperclip service account",
      }),
    );
  } catch (error) {
    return [
      fail("k8s_rbac_unverifiable", `SelfSubjectAccessReview failed: ${normalizeApiError(error).message}`),
    ];
  }
}

function checkImage(config: ClaudeK8sConfig, plan: RunPlan): Check {
  const image = plan.job.spec?.template.spec?.containers[0]?.image ?? "";
  if (!imageHasPinnedVersion(image) && config.pod.imagePullPolicy === "IfNotPresent") {
    return warn(
      "k8s_image_unpinned",
      `image ${image} has no tag (or :latest): nodes may run different versions`,
      {
        hint: "pin a tag or digest",
      },
    );
  }
  return info("k8s_image", `image ${image}`);
}

async function checkReferences(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  plan: RunPlan,
): Promise<Check[]> {
  const namespace = cluster.namespace;
  const pod = plan.job.spec?.template.spec;
  const checks: Check[] = [];
  const exists = async (
    what: string,
    read: () => Promise<unknown>,
    onOk?: (obj: unknown) => Check | undefined,
  ) => {
    try {
      const obj = await read();
      checks.push(onOk?.(obj) ?? info("k8s_reference", `${what} exists`));
    } catch (error) {
      const api = normalizeApiError(error);
      if (isNotFound(error))
        checks.push(fail("k8s_reference_missing", `${what} does not exist in ${namespace}`));
      else checks.push(warn("k8s_reference_unverified", `cannot read ${what}: ${api.message}`));
    }
  };
  for (const ref of pod?.imagePullSecrets ?? []) {
    await exists(`image pull Secret ${ref.name}`, () => cluster.getSecret(ref.name ?? ""));
  }
  if (plan.workspace.kind === "pvc") {
    const claim = plan.workspace.claimName;
    await exists(
      `PersistentVolumeClaim ${claim}`,
      () => cluster.getPersistentVolumeClaim(claim),
      (p) => {
        const pvc = p as { spec?: { accessModes?: string[] }; status?: { phase?: string } };
        if (!pvc.spec?.accessModes?.includes("ReadWriteMany")) {
          return warn(
            "k8s_pvc_not_rwx",
            `PVC ${claim} is not ReadWriteMany: runs on other nodes cannot mount it`,
          );
        }
        return info(
          "k8s_pvc",
          `PVC ${claim} exists (ReadWriteMany, ${pvc.status?.phase ?? "unknown phase"})`,
        );
      },
    );
  }
  if (config.pod.automountServiceAccountToken && !config.pod.serviceAccountName) {
    checks.push(
      warn("k8s_service_account_default", "automountServiceAccount is on but no serviceAccountName is set", {
        hint: "the pods would get the namespace's default ServiceAccount token; name a dedicated ServiceAccount",
      }),
    );
  }
  return checks;
}

/**
 * The run's own preflight of the planned Job (referenced Secrets and keys, ServiceAccount, PriorityClass,
 * RuntimeClass): what a run would refuse as adapter_config_invalid is an error naming the field.
 */
async function checkPreflight(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  plan: RunPlan,
): Promise<Check[]> {
  let findings: PlanFinding[];
  try {
    findings = await preflightPlan(cluster, config, plan);
  } catch (error) {
    return [warn("k8s_reference_unverified", `preflight failed: ${asAdapterError(error).message}`)];
  }
  return findings.map((f) => {
    const named = f.field ? `${titled(f.field)}: ${f.message}` : f.message;
    if (f.status === "missing")
      return fail("k8s_config_invalid", named, { hint: `Fix it on ${RUNTIME_PAGE}.` });
    if (f.status === "unknown") return warn("k8s_reference_unverified", named);
    return info("k8s_reference", named);
  });
}

/**
 * The Job cannot be planned: a field that is simply not set yet (no image to inherit outside a pod) is a warning
 * naming the page; anything else is an error.
 */
function unbuildable(error: unknown): Check {
  const issues = error instanceof RunError ? ((error.failure.meta?.issues ?? []) as ConfigIssue[]) : [];
  if (issues.length > 0 && issues.every((i) => i.field === "image")) {
    return warn("k8s_image_not_set", `${titled("image")}: ${issues[0]?.message}`, {
      hint: `Set ${titled("image")} on ${RUNTIME_PAGE} to an image holding the claude CLI.`,
    });
  }
  return fail("k8s_job_unbuildable", asAdapterError(error).message);
}

async function dryRun(cluster: ClusterContext, plan: RunPlan): Promise<Check> {
  const job = structuredClone(plan.job);
  job.metadata = {
    ...job.metadata,
    name: `${plan.identity.jobName.slice(0, 40)}-dryrun-${Date.now().toString(36)}`,
  };
  const verdict = await cluster.dryRunCreateJob(job);
  if (verdict.ok)
    return info(
      "k8s_dry_run",
      "server-side dry-run of the Job passed admission (Pod Security, quotas, webhooks)",
    );
  return fail(
    "k8s_dry_run_rejected",
    `the API server rejects the Job: ${verdict.status} ${verdict.reason}: ${verdict.message}`,
  );
}

/** A synthetic run used to build the dry-run Job; carries no credentials. */
function probeContext(ctx: AdapterEnvironmentTestContext): AdapterExecutionContext {
  return {
    runId: "environment-test",
    agent: {
      id: "environment-test",
      companyId: ctx.companyId,
      name: "environment test",
      adapterType: ADAPTER_TYPE,
      adapterConfig: ctx.config,
    },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config: ctx.config,
    context: {},
    onLog: async () => {},
    authToken: "environment-test-token",
  };
}
