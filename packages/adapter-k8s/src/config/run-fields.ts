import { absolutePath, boolean, envName, field, integer, line } from "@paperclip-k8s/run-core";
import { z } from "zod";
import { choice, dnsSubdomain, quantity, secretRefMap, stringList } from "./k8s-values.js";
import { form } from "./pod-fields.js";
import type { ConcurrencyScope, WorkspaceMode } from "./types.js";

/** The claude_k8s keys of the run's environment, timing, workspace and cleanup, each defined once. */

const trim = (v: unknown): unknown => (typeof v === "string" ? v.trim() : v);
const envNames = stringList(z.preprocess(trim, envName) as z.ZodType<string>);

// ---- Environment ---------------------------------------------------------------------------------------------------

// Key names avoid the words Paperclip redacts in every API answer (secret, token, auth, key…): the UI would show,
// test and save "***REDACTED***" instead of the value. The old names are read as aliases.

export const sensitiveEnvNames = field({
  key: "sensitiveEnvNames",
  aliases: ["secretEnvKeys"],
  schema: envNames,
  default: [],
  form: form(
    "Environment",
    "Extra secret env names",
    "textarea",
    "Names (of env or inheritEnv) whose values must also travel only through the run Secret, on top of the built-in detection (key, token, secret, password…).",
    { doc: { type: "list of env names (JSON array or comma/newline-separated)" } },
  ),
});

export const inheritEnv = field({
  key: "inheritEnv",
  schema: envNames,
  default: [],
  form: form(
    "Essentials",
    "Inherited server env",
    "textarea",
    "Names of Paperclip server variables passed to the pod, e.g. ANTHROPIC_API_KEY (a Secret reference on the Paperclip container stays a reference); nothing is inherited otherwise.",
    { doc: { type: "list of env names (JSON array or comma/newline-separated)" } },
  ),
});

export const envValueFrom = field({
  key: "envValueFrom",
  aliases: ["envSecretRefs"],
  schema: secretRefMap,
  default: {},
  form: form(
    "Essentials",
    "Env from existing Secrets",
    "textarea",
    "Variables taken from existing Secrets of the Job's namespace, one NAME: secret-name/key per line. The Claude credential goes here (ANTHROPIC_API_KEY: anthropic/api-key, or CLAUDE_CODE_OAUTH_TOKEN: …) or into the Environment variables section. Write the colon form: Paperclip redacts NAME=… text and JSON entries named like credentials.",
    {
      doc: {
        type: 'string of "NAME: secret-name/key" lines (a JSON object of NAME: "secret-name/key" is read too)',
      },
    },
  ),
});

// ---- Run -----------------------------------------------------------------------------------------------------------

const SCOPES = ["agent", "task"] as const;
export const concurrencyScope = field({
  key: "concurrencyScope",
  schema: choice(SCOPES),
  default: "agent" as ConcurrencyScope,
  form: form(
    "Run",
    "One live Job per",
    "select",
    "How many runs of this agent may have a live Job: agent = one at a time; task = one per task (runs of different tasks in parallel).",
    {
      options: [
        { value: "agent", label: "agent" },
        { value: "task", label: "agent and task" },
      ],
    },
  ),
});

export const podScheduleTimeoutSec = field({
  key: "podScheduleTimeoutSec",
  schema: integer(1),
  default: 300,
  form: form(
    "Run",
    "Scheduling timeout (s)",
    "number",
    "A run whose pod is still unscheduled after this long fails (k8s_unschedulable).",
  ),
});

export const podStartTimeoutSec = field({
  key: "podStartTimeoutSec",
  schema: integer(1),
  default: 600,
  form: form(
    "Run",
    "Container start timeout (s)",
    "number",
    "A run whose scheduled pod is not running after this long (image pull, volume mounts) fails.",
  ),
});

export const keepaliveSec = field({
  key: "keepaliveSec",
  schema: integer(5, 240),
  default: 30,
  form: form(
    "Run",
    "Keepalive (s)",
    "number",
    "After this much silence from the pod, a status line is logged so Paperclip keeps the run marked alive (5 to 240).",
  ),
});

// ---- Workspace -----------------------------------------------------------------------------------------------------

const WORKSPACE_MODES = ["auto", "pvc", "emptyDir"] as const;
export const workspaceMode = field({
  key: "workspaceMode",
  schema: choice(WORKSPACE_MODES),
  default: "auto" as WorkspaceMode,
  form: form(
    "Essentials",
    "Workspace",
    "select",
    "Volume holding the workspace and the Claude home: pvc = a ReadWriteMany claim (sessions resume); emptyDir = scratch per run (no resume); auto = pvc if a claim is configured or mounted on the Paperclip pod, else emptyDir.",
    {
      options: [
        { value: "auto", label: "auto (PVC if configured or mounted on Paperclip, else emptyDir)" },
        { value: "pvc", label: "RWX PersistentVolumeClaim (sessions resume)" },
        { value: "emptyDir", label: "emptyDir (no resume)" },
      ],
    },
  ),
});

export const workspaceClaimName = field({
  key: "workspaceClaimName",
  schema: dnsSubdomain("PersistentVolumeClaim"),
  form: form(
    "Essentials",
    "Workspace PVC",
    "text",
    "ReadWriteMany claim holding workspaces and the Claude home; unset: the claim mounted at workspaceMountPath on the Paperclip pod.",
    { doc: { type: "string (PersistentVolumeClaim name in the Jobs' namespace)" } },
  ),
});

export const workspaceSubPath = field({
  key: "workspaceSubPath",
  schema: z.preprocess(
    trim,
    line(4096).refine((v) => !v.startsWith("/") && !v.split("/").includes(".."), {
      error: "must be a relative path without ..",
    }),
  ) as z.ZodType<string>,
  form: form(
    "Workspace",
    "PVC subPath",
    "text",
    "Directory inside the claim that is mounted (a relative path); unset: the claim's root.",
    { doc: { type: "string (relative path)" } },
  ),
});

/** An absolute path, trimmed, without a trailing slash. */
const mountPoint = z.preprocess(
  trim,
  absolutePath.transform((v) => v.replace(/\/+$/, "") || "/"),
) as z.ZodType<string>;

export const workspaceMountPath = field({
  key: "workspaceMountPath",
  schema: mountPoint,
  default: "/paperclip",
  form: form(
    "Workspace",
    "Mount path",
    "text",
    "Where the workspace volume is mounted in the pod (and on the Paperclip pod, for auto).",
    { doc: { type: "string (absolute path)" } },
  ),
});

export const homePath = field({
  key: "homePath",
  schema: mountPoint,
  form: form(
    "Workspace",
    "HOME (Claude home)",
    "text",
    "HOME of the claude CLI in the pod (its sessions live there); must be inside the mount path so sessions persist. Unset: the mount path.",
    { doc: { type: "string (absolute path)" } },
  ),
});

export const emptyDirSizeLimit = field({
  key: "emptyDirSizeLimit",
  schema: quantity,
  form: form(
    "Workspace",
    "emptyDir size limit",
    "text",
    "Size limit of an emptyDir workspace (e.g. 10Gi); unset: no limit.",
    { doc: { type: "string (Kubernetes quantity)", unit: "bytes, with Mi, Gi…" } },
  ),
});

// ---- Cleanup -------------------------------------------------------------------------------------------------------

export const ttlSecondsAfterFinished = field({
  key: "ttlSecondsAfterFinished",
  schema: integer(0),
  default: 3600,
  form: form(
    "Cleanup",
    "Job TTL after finish (s)",
    "number",
    "Kubernetes deletes a finished Job after this long (ttlSecondsAfterFinished): a safety net, the adapter deletes its Jobs itself unless retainJobs.",
  ),
});

export const retainJobs = field({
  key: "retainJobs",
  schema: boolean,
  default: false,
  form: form(
    "Cleanup",
    "Keep finished Jobs",
    "toggle",
    "Keep finished Jobs and their Secrets for inspection instead of deleting them after the run.",
  ),
});

export const probeApiUrl = field({
  key: "probeApiUrl",
  schema: boolean,
  default: false,
  form: form(
    "Essentials",
    "Probe Paperclip API from a pod",
    "toggle",
    "In the environment test, start a short probe Job (the run's image, no env, no token; deleted after) that fetches the Paperclip API URL the agent would get, proving pods reach Paperclip. Runs do not use it.",
  ),
});

export const orphanMaxAgeSec = field({
  key: "orphanMaxAgeSec",
  schema: integer(10),
  default: 24 * 3600,
  form: form(
    "Cleanup",
    "Orphan sweep age (s)",
    "number",
    "Finished Jobs and run Secrets of this agent older than this are removed before each run.",
  ),
});
