import {
  type AdapterConfigSchema,
  CLAUDE_CREDENTIAL_VARS,
  type ConfigExample,
  sharedFields as s,
  toConfigSchema,
  toConfigurationDoc,
  toMarkdownTable,
} from "@paperclip-k8s/run-core";
import {
  affinity,
  annotations,
  automountServiceAccount,
  flatResources,
  fsGroup,
  image,
  imagePullPolicy,
  imagePullRefs,
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
  envValueFrom,
  homePath,
  inheritEnv,
  keepaliveSec,
  orphanMaxAgeSec,
  podScheduleTimeoutSec,
  podStartTimeoutSec,
  probeApiUrl,
  retainJobs,
  sensitiveEnvNames,
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
  envValueFrom,
  inheritEnv,
  paperclipApiUrl,
  probeApiUrl,
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
  sensitiveEnvNames,
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
  imagePullRefs,
  paperclipContainerName,
  serviceAccountName,
  automountServiceAccount,
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
--output-format stream-json\`) with the prompt on stdin from a per-run Secret. Paperclip may run inside the cluster
(the adapter then uses the Paperclip pod's service account, namespace, image and workspace claim) or outside it (then
\`kubeconfig\` and \`image\` are required). Sessions resume when the workspace and the Claude home live on a
ReadWriteMany PVC. Secret values never appear as literals in pod specs. Run the agent's environment test after
hiring: it checks the cluster permissions, the image, the workspace claim, the Claude credential and the
PAPERCLIP_API_URL the pod would get.`;

const CREDENTIAL = `The pod needs one of these variables: ${CLAUDE_CREDENTIAL_VARS.map((v) => `\`${v}\``).join(", ")}.
Usually \`ANTHROPIC_API_KEY\` (an Anthropic API key) or \`CLAUDE_CODE_OAUTH_TOKEN\` (a subscription token from
\`claude setup-token\`). Give it one of three ways; its value reaches the pod only through a per-run Secret or a
Secret reference, never as a literal in the pod spec:
- \`envValueFrom\` (recommended): a Kubernetes Secret you created in the Jobs' namespace, e.g.
  \`kubectl create secret generic anthropic --from-literal=api-key=...\` and
  \`"envValueFrom": "ANTHROPIC_API_KEY: anthropic/api-key"\`. Write \`NAME: secret/key\` lines, not an object
  or \`NAME=…\`: Paperclip hides those from its own form and API answers (\`***REDACTED***\`), and a save from
  its form then writes the hidden text back.
- \`env\`: Paperclip's "Environment variables" of the agent, a plain value or a Paperclip secret binding.
- \`inheritEnv\`: the name of a variable of the Paperclip server's own environment, e.g. \`["ANTHROPIC_API_KEY"]\`.
Without any, the environment test warns (k8s_claude_credential_missing) and runs fail to authenticate.`;

/** Minimal working configs; a test parses each with the real parser. */
export const EXAMPLES: readonly ConfigExample[] = [
  {
    title: "Paperclip runs in the cluster",
    when: `Paperclip's pod runs with the service account of deploy/rbac.yaml (or the Helm chart) and is reachable
through its Service; the Jobs use the pod's namespace and image; the Secret \`anthropic\` exists in that namespace.
With a ReadWriteMany claim mounted at /paperclip on the Paperclip pod sessions resume; without one each run gets an
emptyDir.`,
    config: {
      envValueFrom: "ANTHROPIC_API_KEY: anthropic/api-key",
      paperclipApiUrl: "http://paperclip.paperclip.svc:3100",
    },
  },
  {
    title: "Paperclip runs outside the cluster (kubeconfig)",
    when: `The kubeconfig file is on the Paperclip server and its user has the Role of deploy/rbac.yaml in
\`agents\`; the image holds the claude CLI; the claim \`paperclip-workspace\` (ReadWriteMany) and the Secret
\`anthropic\` exist in \`agents\`; pods reach Paperclip at the given URL.`,
    config: {
      kubeconfig: "/home/paperclip/.kube/config",
      namespace: "agents",
      image: "ghcr.io/example/claude-code:2.1.330",
      workspaceClaimName: "paperclip-workspace",
      envValueFrom: "ANTHROPIC_API_KEY: anthropic/api-key",
      paperclipApiUrl: "http://paperclip.example.internal:3100",
    },
  },
];

/** Paperclip's generic config form. */
export function getConfigSchema(): AdapterConfigSchema {
  return toConfigSchema(CLAUDE_K8S_FIELDS);
}

/** Markdown served by Paperclip at /api/llms/agent-configuration/claude_k8s.txt. */
export function buildAgentConfigurationDoc(): string {
  return toConfigurationDoc({
    adapterType: "claude_k8s",
    intro: INTRO,
    defs: CLAUDE_K8S_FIELDS,
    credential: CREDENTIAL,
    examples: EXAMPLES,
  });
}

/** The README's config table (a test keeps README.md equal to it). */
export function configTable(): string {
  return toMarkdownTable(CLAUDE_K8S_FIELDS);
}
