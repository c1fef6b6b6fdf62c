import {
  type AdapterConfigSchema,
  sharedFields as s,
  toConfigSchema,
  toConfigurationDoc,
  toMarkdownTable,
} from "@paperclip-k8s/run-core";
import {
  affinity,
  annotations,
  automountServiceAccountToken,
  flatResources,
  fsGroup,
  image,
  imagePullPolicy,
  imagePullSecrets,
  kubeconfig,
  labels,
  namespace,
  nodeSelector,
  paperclipContainerName,
  priorityClassName,
  readOnlyRootFilesystem,
  resources,
  runAsGroup,
  runAsUser,
  runtimeClassName,
  serviceAccountName,
  tolerations,
} from "./pod-fields.js";
import {
  concurrencyScope,
  emptyDirSizeLimit,
  envSecretRefs,
  homePath,
  inheritEnv,
  keepaliveSec,
  orphanMaxAgeSec,
  podScheduleTimeoutSec,
  podStartTimeoutSec,
  retainJobs,
  secretEnvKeys,
  ttlSecondsAfterFinished,
  workspaceClaimName,
  workspaceMode,
  workspaceMountPath,
  workspaceSubPath,
} from "./run-fields.js";

/**
 * Every claude_k8s config key: run-core's shared Claude/Paperclip keys (same rule as claude_cli) and the Kubernetes
 * keys, in the order Paperclip's form, the configuration doc and the README show them (essentials first). The
 * parser, getConfigSchema(), agentConfigurationDoc and the README table all come from this list.
 */

/** Same key and rule as the shared `cwd`; on Kubernetes it lives on the workspace volume. */
const cwd = {
  ...s.cwd,
  form: {
    ...s.cwd.form,
    group: "Workspace",
    hint: "Absolute path inside workspaceMountPath; unset: Paperclip's workspace cwd when it is on the mount, else {mount}/workspaces/{agentId}.",
  },
};

/** Same key and rule as the shared `paperclipApiUrl`; a pod can never reach Paperclip's loopback address. */
const paperclipApiUrl = {
  ...s.paperclipApiUrl,
  form: {
    ...s.paperclipApiUrl.form,
    group: "Essentials",
    hint: "PAPERCLIP_API_URL as a pod reaches it (e.g. the Paperclip Service, http://paperclip.<namespace>.svc:3100). Unset: the URL the server advertises; a loopback one (127.0.0.1) is unreachable from pods.",
  },
};

export const CLAUDE_K8S_FIELDS = [
  // the essentials: where runs go, what they run, the Claude credential, how the agent reaches Paperclip
  kubeconfig,
  namespace,
  image,
  envSecretRefs,
  inheritEnv,
  paperclipApiUrl,
  workspaceMode,
  workspaceClaimName,
  s.model,
  s.effort,
  s.maxTurnsPerRun,
  s.dangerouslySkipPermissions,
  s.instructionsFilePath,
  s.extraArgs,
  s.promptTemplate,
  s.bootstrapPromptTemplate,
  s.env,
  secretEnvKeys,
  s.timeoutSec,
  s.graceSec,
  concurrencyScope,
  podScheduleTimeoutSec,
  podStartTimeoutSec,
  keepaliveSec,
  workspaceSubPath,
  workspaceMountPath,
  homePath,
  cwd,
  emptyDirSizeLimit,
  imagePullPolicy,
  imagePullSecrets,
  paperclipContainerName,
  serviceAccountName,
  automountServiceAccountToken,
  resources,
  ...flatResources,
  nodeSelector,
  tolerations,
  affinity,
  priorityClassName,
  runtimeClassName,
  labels,
  annotations,
  runAsUser,
  runAsGroup,
  fsGroup,
  readOnlyRootFilesystem,
  ttlSecondsAfterFinished,
  retainJobs,
  orphanMaxAgeSec,
] as const;

/**
 * Keys Paperclip's own form may write that claude_k8s does not read (the command is the image's `claude`). Known,
 * so never reported as unknown; ignored.
 */
export const IGNORED_KEYS: readonly string[] = ["command"];

const INTRO = `Each run of a claude_k8s agent is one Kubernetes Job running the Claude Code CLI (\`claude --print
--output-format stream-json\`), prompt on stdin from a per-run Secret. Sessions resume when the workspace and the
Claude home live on a ReadWriteMany PVC. Secrets never appear as literals in pod specs. Unknown keys are errors;
numbers and toggles may be given as text; JSON fields may be given as JSON text.`;

/** Paperclip's generic config form. */
export function getConfigSchema(): AdapterConfigSchema {
  return toConfigSchema(CLAUDE_K8S_FIELDS);
}

/** Markdown served by Paperclip at /api/llms/agent-configuration/claude_k8s.txt. */
export function buildAgentConfigurationDoc(): string {
  return toConfigurationDoc("claude_k8s", INTRO, CLAUDE_K8S_FIELDS);
}

/** The README's config table (a test keeps README.md equal to it). */
export function configTable(): string {
  return toMarkdownTable(CLAUDE_K8S_FIELDS);
}
