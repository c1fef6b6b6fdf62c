import type { PreflightFinding } from "@paperclip-k8s/k8s-runtime";
import type { ConfigIssue } from "@paperclip-k8s/run-core";
import type { ClusterContext } from "./cluster.js";
import type { ClaudeK8sConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import type { RunPlan } from "./prepare.js";

/** A preflight finding with the config field it comes from (undefined: nothing in the config names it). */
export interface PlanFinding extends PreflightFinding {
  readonly field: string | undefined;
}

/**
 * k8s-runtime's preflight of the planned Job's pod spec: the Secrets (and keys), ServiceAccount, PriorityClass and
 * RuntimeClass it references, read — never created. The run's own Secrets are created with the Job and skipped.
 */
export async function preflightPlan(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  plan: RunPlan,
): Promise<PlanFinding[]> {
  const spec = plan.job.spec?.template.spec;
  if (!spec) return [];
  const findings = await cluster.preflightPodSpec(
    spec,
    plan.secrets.map((s) => s.name),
  );
  return findings.map((f) => ({ ...f, field: fieldOf(f, config) }));
}

/**
 * Every finding that is definitely missing (never one the cluster could not verify, e.g. a read RBAC forbids) as
 * one config error naming each field, or undefined when nothing is missing.
 */
export function preflightError(findings: readonly PlanFinding[]): ConfigError | undefined {
  const issues: ConfigIssue[] = findings
    .filter((f) => f.status === "missing")
    .map((f) => ({ field: f.field ?? "pod", message: f.message }));
  return issues.length > 0 ? new ConfigError(issues) : undefined;
}

/** Fails the run with a config error before anything is created when the planned pod could never start. */
export async function assertPlanStartable(
  cluster: ClusterContext,
  config: ClaudeK8sConfig,
  plan: RunPlan,
): Promise<void> {
  const error = preflightError(await preflightPlan(cluster, config, plan));
  if (error) throw error;
}

/** The config field a finding comes from: the env var's envValueFrom / inheritEnv entry, or the pod field. */
function fieldOf(finding: PreflightFinding, config: ClaudeK8sConfig): string | undefined {
  const subject = finding.subject;
  switch (subject.kind) {
    case "ServiceAccount":
      return "serviceAccountName";
    case "PriorityClass":
      return "priorityClassName";
    case "RuntimeClass":
      return "runtimeClassName";
    case "Secret": {
      const env = subject.env;
      if (env === undefined) return undefined;
      if (Object.hasOwn(config.env.secretRefs, env)) return `envValueFrom.${env}`;
      if (config.env.inherit.includes(env)) return `inheritEnv.${env}`;
      return undefined;
    }
  }
}
