import { existsSync } from "node:fs";
import {
  type AdapterEnvironmentCheck,
  fieldTitle,
  findClaudeCredential,
  isLoopbackUrl,
  resolvePaperclipApiUrl,
  setNames,
} from "@paperclip-k8s/run-core";
import { CLAUDE_K8S_FIELDS } from "./config/fields.js";
import type { ClaudeK8sConfig } from "./config.js";

/**
 * The environment test's checks that need no cluster: the cluster connection, a Claude credential and the
 * Paperclip API URL the pod would get. What can only be set after hiring (on the agent's pages) is a warning naming
 * the page and the field as the form shows it, so Paperclip's hire wizard (which blocks "Finish setup" on a failed
 * test) is never blocked by it.
 */

type Check = AdapterEnvironmentCheck;
type Env = Readonly<Record<string, string | undefined>>;

/** Paperclip's agent page holding the adapter form (agent → Runtime → "Harness / Runtime"). */
export const RUNTIME_PAGE = `the agent's "Harness / Runtime" page`;
/** Paperclip's agent page holding the agent's environment variables and their secret bindings. */
export const SECRETS_PAGE = `the "Environment variables" section of the agent's "Harness / Runtime" page`;

/** A config field as the operator sees it: the form's label and the key. */
export function titled(path: string): string {
  return fieldTitle(CLAUDE_K8S_FIELDS, path);
}

/**
 * Where runs would connect when no kubeconfig is configured: in a pod, its service account; else $KUBECONFIG's
 * first file, else ~/.kube/config. Undefined when that is settled (configured, in a pod, or the file exists); a
 * warning naming the fields when there is nothing to connect with.
 */
export function clusterConnectionCheck(
  config: ClaudeK8sConfig,
  env: Env = process.env,
  exists: (path: string) => boolean = existsSync,
): Check | undefined {
  if (config.cluster.kubeconfig || env.KUBERNETES_SERVICE_HOST) return undefined;
  const fromEnv = env.KUBECONFIG?.split(":").find((p) => p !== "");
  const path = fromEnv ?? (env.HOME ? `${env.HOME}/.kube/config` : undefined);
  if (path && exists(path)) return undefined;
  const looked = path ? `no kubeconfig at ${path}` : "neither $KUBECONFIG nor $HOME is set";
  return {
    code: "k8s_cluster_not_configured",
    level: "warn",
    message: `No Kubernetes cluster to run in yet: Paperclip does not run in a pod and ${looked}.`,
    hint:
      `Set ${titled("kubeconfig")} on ${RUNTIME_PAGE} (a kubeconfig path on the Paperclip server, or its YAML), ` +
      `with ${titled("namespace")} and ${titled("image")} (outside a cluster nothing is inherited), ` +
      "or run Paperclip in the cluster with packages/adapter-k8s/deploy/rbac.yaml applied.",
  };
}

/**
 * A Claude credential for the pod: a value in the agent's env, a Secret reference, or an inherited server variable
 * (claude_cli's rule, through run-core's findClaudeCredential). Missing is a warning: it is set after hiring.
 */
export function credentialCheck(config: ClaudeK8sConfig, serverEnv: Env = process.env): Check {
  const inherited = new Set(config.env.inherit);
  const credential = findClaudeCredential([
    { field: "env", names: setNames(config.env.values) },
    { field: "envValueFrom", names: Object.keys(config.env.secretRefs) },
    { field: "inheritEnv", names: setNames(serverEnv).filter((name: string) => inherited.has(name)) },
  ]);
  if (!credential) {
    return {
      code: "k8s_claude_credential_missing",
      level: "warn",
      message:
        "No Claude credential for the pod: none of ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_AUTH_TOKEN, " +
        "CLAUDE_CODE_USE_BEDROCK or CLAUDE_CODE_USE_VERTEX is set; runs will fail to authenticate.",
      hint:
        `Add ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN from \`claude setup-token\`) on ${SECRETS_PAGE}, ` +
        `or name a Kubernetes Secret in ${titled("envValueFrom")} (a line ANTHROPIC_API_KEY: secret-name/key) ` +
        `or a Paperclip server variable in ${titled("inheritEnv")} on ${RUNTIME_PAGE}.`,
    };
  }
  const from =
    credential.field === "env"
      ? "the agent's environment variables"
      : credential.field === "envValueFrom"
        ? `a Secret reference in ${titled("envValueFrom")}`
        : `the Paperclip server, through ${titled("inheritEnv")}`;
  return {
    code: "k8s_claude_credential",
    level: "info",
    message: `Claude credential ${credential.name} comes from ${from}.`,
  };
}

/**
 * The PAPERCLIP_API_URL the pod would get (run-core's order): loopback or unknown is a warning naming the field,
 * since the agent inside the pod could not reach Paperclip.
 */
export function apiUrlCheck(config: ClaudeK8sConfig, serverEnv: Env = process.env): Check {
  const resolved = resolvePaperclipApiUrl(config.paperclipApiUrl, serverEnv);
  const hint =
    `Set ${titled("paperclipApiUrl")} on ${RUNTIME_PAGE} to Paperclip's URL as the cluster reaches it ` +
    "(for example its Service: http://paperclip.<namespace>.svc:3100), or start Paperclip with PAPERCLIP_API_URL.";
  if (!resolved) {
    return {
      code: "k8s_api_url_unknown",
      level: "warn",
      message: "The pod gets no PAPERCLIP_API_URL: the Paperclip server advertises none.",
      hint,
    };
  }
  if (isLoopbackUrl(resolved.url)) {
    return {
      code: "k8s_api_url_loopback",
      level: "warn",
      message: `The pod would get PAPERCLIP_API_URL=${resolved.url} (from ${resolved.source}), a loopback address no pod can reach.`,
      hint,
    };
  }
  return {
    code: "k8s_api_url",
    level: "info",
    message: `The pod gets PAPERCLIP_API_URL=${resolved.url} (from ${resolved.source}).`,
  };
}

/** A run note that repeats {@link apiUrlCheck} (prepareRun notes the same loopback URL). */
export function isApiUrlNote(note: string): boolean {
  return note.startsWith("PAPERCLIP_API_URL is");
}
