import type { AdapterConfigSchema, ConfigFieldSchema } from "@paperclip-k8s/claude-parse";
import { DEFAULTS } from "./config.js";

/**
 * The one description of every config key: it drives Paperclip's generic config form (getConfigSchema) and the
 * agent configuration doc, so the two cannot drift apart.
 */
export const CONFIG_FIELDS: readonly ConfigFieldSchema[] = [
  // Claude
  {
    key: "model",
    label: "Model",
    type: "text",
    group: "Claude",
    hint: "Claude model id; empty = the CLI default.",
  },
  {
    key: "effort",
    label: "Effort",
    type: "select",
    group: "Claude",
    options: ["low", "medium", "high", "xhigh", "max"].map((v) => ({ value: v, label: v })),
    hint: "Passed as --effort.",
  },
  {
    key: "maxTurnsPerRun",
    label: "Max turns per run",
    type: "number",
    group: "Claude",
    default: DEFAULTS.maxTurnsPerRun,
    hint: "--max-turns; 0 = unlimited.",
  },
  {
    key: "dangerouslySkipPermissions",
    label: "Skip permission prompts",
    type: "toggle",
    group: "Claude",
    default: DEFAULTS.dangerouslySkipPermissions,
    hint: "--dangerously-skip-permissions (the pod is the sandbox).",
  },
  {
    key: "instructionsFilePath",
    label: "Instructions file",
    type: "text",
    group: "Claude",
    hint: "Absolute path on the Paperclip server; its content is shipped to the pod in the run Secret and appended to the system prompt on fresh sessions.",
  },
  {
    key: "extraArgs",
    label: "Extra CLI arguments",
    type: "text",
    group: "Claude",
    hint: "Appended to the claude argv.",
  },
  {
    key: "promptTemplate",
    label: "Prompt template",
    type: "textarea",
    group: "Claude",
    hint: "{{ agent.name }}-style template.",
  },
  {
    key: "bootstrapPromptTemplate",
    label: "Bootstrap prompt template",
    type: "textarea",
    group: "Claude",
    hint: "Prepended on fresh sessions only.",
  },
  // Environment
  {
    key: "env",
    label: "Environment",
    type: "textarea",
    group: "Environment",
    hint: "KEY=value lines or a JSON object. Sensitive names (key, token, secret, password…) go through the per-run Secret.",
  },
  {
    key: "secretEnvKeys",
    label: "Extra secret env names",
    type: "textarea",
    group: "Environment",
    hint: "Names whose values must also travel only through the run Secret.",
  },
  {
    key: "inheritEnv",
    label: "Inherited server env",
    type: "textarea",
    group: "Environment",
    hint: "Allow-list of Paperclip server variables passed to the pod (Secret references are passed as references). Nothing is inherited otherwise.",
  },
  {
    key: "envSecretRefs",
    label: "Env from existing Secrets",
    type: "textarea",
    group: "Environment",
    hint: "NAME=secret-name/key lines: env taken from Secrets in the Job namespace.",
  },
  {
    key: "paperclipApiUrl",
    label: "Paperclip API URL (from pods)",
    type: "text",
    group: "Environment",
    hint: "PAPERCLIP_API_URL inside the run; default: the server's PAPERCLIP_API_URL / PAPERCLIP_RUNTIME_API_URL.",
  },
  // Run
  {
    key: "timeoutSec",
    label: "Timeout (s)",
    type: "number",
    group: "Run",
    default: DEFAULTS.timeoutSec,
    hint: "Job activeDeadlineSeconds; 0 = none.",
  },
  {
    key: "graceSec",
    label: "Grace (s)",
    type: "number",
    group: "Run",
    default: DEFAULTS.graceSec,
    hint: "Pod terminationGracePeriodSeconds.",
  },
  {
    key: "concurrencyScope",
    label: "One live Job per",
    type: "select",
    group: "Run",
    default: "agent",
    options: [
      { value: "agent", label: "agent" },
      { value: "task", label: "agent and task" },
    ],
  },
  {
    key: "podScheduleTimeoutSec",
    label: "Scheduling timeout (s)",
    type: "number",
    group: "Run",
    default: DEFAULTS.podScheduleTimeoutSec,
    hint: "Fail an unschedulable pod after this long.",
  },
  {
    key: "podStartTimeoutSec",
    label: "Container start timeout (s)",
    type: "number",
    group: "Run",
    default: DEFAULTS.podStartTimeoutSec,
    hint: "From scheduled to running (image pull, mounts).",
  },
  {
    key: "keepaliveSec",
    label: "Keepalive (s)",
    type: "number",
    group: "Run",
    default: DEFAULTS.keepaliveSec,
    hint: "A status line after this much silence keeps the Paperclip run fresh.",
  },
  // Kubernetes
  {
    key: "namespace",
    label: "Namespace",
    type: "text",
    group: "Kubernetes",
    hint: "Default: the Paperclip pod's namespace, else the kubeconfig context's.",
  },
  {
    key: "kubeconfig",
    label: "Kubeconfig",
    type: "textarea",
    group: "Kubernetes",
    hint: "Absolute path or kubeconfig YAML; empty = in-cluster service account, else $KUBECONFIG.",
  },
  {
    key: "image",
    label: "Image",
    type: "text",
    group: "Kubernetes",
    hint: "Default: the image of the Paperclip container (paperclipContainerName).",
  },
  {
    key: "imagePullPolicy",
    label: "Image pull policy",
    type: "select",
    group: "Kubernetes",
    default: DEFAULTS.imagePullPolicy,
    options: ["IfNotPresent", "Always", "Never"].map((v) => ({ value: v, label: v })),
  },
  {
    key: "imagePullSecrets",
    label: "Image pull secrets",
    type: "text",
    group: "Kubernetes",
    hint: "Comma-separated; default: the Paperclip pod's.",
  },
  {
    key: "paperclipContainerName",
    label: "Paperclip container name",
    type: "text",
    group: "Kubernetes",
    default: DEFAULTS.paperclipContainerName,
    hint: "The container (by name, never by position) whose image, pull secrets and DNS are inherited.",
  },
  { key: "serviceAccountName", label: "Service account", type: "text", group: "Kubernetes" },
  {
    key: "automountServiceAccountToken",
    label: "Mount service-account token",
    type: "toggle",
    group: "Kubernetes",
    default: false,
  },
  {
    key: "resources",
    label: "Resources",
    type: "textarea",
    group: "Kubernetes",
    default: DEFAULTS.resources,
    hint: 'JSON {"requests":{"cpu":"250m","memory":"1536Mi"},"limits":{"memory":"8Gi"}}; flat keys like resources.limits.memory also work.',
  },
  {
    key: "nodeSelector",
    label: "Node selector",
    type: "textarea",
    group: "Kubernetes",
    hint: "key=value lines or JSON; default: the Paperclip pod's.",
  },
  {
    key: "tolerations",
    label: "Tolerations",
    type: "textarea",
    group: "Kubernetes",
    hint: "JSON array; default: the Paperclip pod's.",
  },
  {
    key: "affinity",
    label: "Affinity",
    type: "textarea",
    group: "Kubernetes",
    hint: "JSON object (V1Affinity).",
  },
  { key: "priorityClassName", label: "Priority class", type: "text", group: "Kubernetes" },
  { key: "runtimeClassName", label: "Runtime class", type: "text", group: "Kubernetes" },
  {
    key: "labels",
    label: "Extra labels",
    type: "textarea",
    group: "Kubernetes",
    hint: "key=value lines; paperclip.ai/ is reserved.",
  },
  { key: "annotations", label: "Extra annotations", type: "textarea", group: "Kubernetes" },
  {
    key: "runAsUser",
    label: "Run as user",
    type: "number",
    group: "Kubernetes",
    default: DEFAULTS.runAsUser,
  },
  {
    key: "runAsGroup",
    label: "Run as group",
    type: "number",
    group: "Kubernetes",
    default: DEFAULTS.runAsGroup,
  },
  {
    key: "fsGroup",
    label: "fsGroup",
    type: "number",
    group: "Kubernetes",
    hint: "Unset by default: a recursive chown of a large shared volume stalls pod start.",
  },
  {
    key: "readOnlyRootFilesystem",
    label: "Read-only root filesystem",
    type: "toggle",
    group: "Kubernetes",
    default: true,
  },
  {
    key: "ttlSecondsAfterFinished",
    label: "Job TTL after finish (s)",
    type: "number",
    group: "Kubernetes",
    default: DEFAULTS.ttlSecondsAfterFinished,
    hint: "Safety net; the adapter deletes Jobs itself unless retainJobs.",
  },
  { key: "retainJobs", label: "Keep finished Jobs", type: "toggle", group: "Kubernetes", default: false },
  {
    key: "orphanMaxAgeSec",
    label: "Orphan sweep age (s)",
    type: "number",
    group: "Kubernetes",
    default: DEFAULTS.orphanMaxAgeSec,
    hint: "Finished Jobs and run Secrets of this agent older than this are removed before each run.",
  },
  // Workspace
  {
    key: "workspaceMode",
    label: "Workspace",
    type: "select",
    group: "Workspace",
    default: "auto",
    options: [
      { value: "auto", label: "auto (PVC if configured or mounted on Paperclip, else emptyDir)" },
      { value: "pvc", label: "RWX PersistentVolumeClaim (sessions resume)" },
      { value: "emptyDir", label: "emptyDir (no resume)" },
    ],
  },
  {
    key: "workspaceClaimName",
    label: "Workspace PVC",
    type: "text",
    group: "Workspace",
    hint: "ReadWriteMany claim holding workspaces and the Claude home; default: the claim mounted at workspaceMountPath on the Paperclip pod.",
  },
  { key: "workspaceSubPath", label: "PVC subPath", type: "text", group: "Workspace" },
  {
    key: "workspaceMountPath",
    label: "Mount path",
    type: "text",
    group: "Workspace",
    default: DEFAULTS.mountPath,
  },
  {
    key: "homePath",
    label: "HOME (Claude home)",
    type: "text",
    group: "Workspace",
    hint: "Default: the mount path. Must be inside it so sessions persist.",
  },
  {
    key: "cwd",
    label: "Working directory",
    type: "text",
    group: "Workspace",
    hint: "Default: Paperclip's workspace cwd when inside the mount, else <mount>/workspaces/<agentId>.",
  },
  { key: "emptyDirSizeLimit", label: "emptyDir size limit", type: "text", group: "Workspace" },
];

export function getConfigSchema(): AdapterConfigSchema {
  return { fields: CONFIG_FIELDS.map((f) => ({ ...f })) };
}

function formatDefault(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "object" ? `\`${JSON.stringify(value)}\`` : `\`${String(value)}\``;
}

/** Markdown served by Paperclip at /api/llms/agent-configuration/claude_k8s.txt. */
export function buildAgentConfigurationDoc(): string {
  const groups = [...new Set(CONFIG_FIELDS.map((f) => f.group ?? "Other"))];
  const lines = [
    "# claude_k8s agent configuration",
    "",
    "Each run of a claude_k8s agent is one Kubernetes Job running the Claude Code CLI (`claude --print",
    "--output-format stream-json`), prompt on stdin from a per-run Secret. Sessions resume when the workspace and the",
    "Claude home live on a ReadWriteMany PVC. Secrets never appear as literals in pod specs.",
    "",
  ];
  for (const group of groups) {
    lines.push(`## ${group}`, "", "| key | type | default | meaning |", "|---|---|---|---|");
    for (const f of CONFIG_FIELDS.filter((x) => (x.group ?? "Other") === group)) {
      lines.push(
        `| \`${f.key}\` | ${f.type} | ${formatDefault(f.default)} | ${(f.hint ?? f.label).replace(/\|/g, "\\|")} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}
