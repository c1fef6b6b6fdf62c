import { absolutePath, boolean, envName, field, integer, line } from "@paperclip-k8s/run-core";
import { z } from "zod";
import { choice, dnsSubdomain, quantity, secretRefMap, stringList } from "./k8s-values.js";
import { form } from "./pod-fields.js";
import type { ConcurrencyScope, WorkspaceMode } from "./types.js";

/** The claude_k8s keys of the run's environment, timing, workspace and cleanup, each defined once. */

const trim = (v: unknown): unknown => (typeof v === "string" ? v.trim() : v);
const envNames = stringList(z.preprocess(trim, envName) as z.ZodType<string>);

// ---- Environment ---------------------------------------------------------------------------------------------------

export const secretEnvKeys = field({
  key: "secretEnvKeys",
  schema: envNames,
  default: [],
  form: form(
    "Environment",
    "Extra secret env names",
    "textarea",
    "Names (of env or inheritEnv) whose values must also travel only through the run Secret, on top of the built-in detection (key, token, secret, password…).",
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
  ),
});

export const envSecretRefs = field({
  key: "envSecretRefs",
  schema: secretRefMap,
  default: {},
  form: form(
    "Essentials",
    "Env from existing Secrets",
    "textarea",
    "NAME=secret-name/key lines or a JSON object: variables taken from Secrets of the Job's namespace. The Claude credential goes here (ANTHROPIC_API_KEY=anthropic/api-key or CLAUDE_CODE_OAUTH_TOKEN=…) or into the Environment variables section.",
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
    "agent: one live Job per agent; task: one per agent and task.",
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
    "Fail a pod that is still unscheduled after this long.",
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
    "From scheduled to running (image pull, mounts).",
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
    "A status line after this much silence keeps the Paperclip run fresh.",
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
    "auto: a PVC if configured or mounted on the Paperclip pod, else an emptyDir (no resume).",
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
  form: form("Workspace", "PVC subPath", "text", "subPath of the claim to mount."),
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
  ),
});

export const homePath = field({
  key: "homePath",
  schema: mountPoint,
  form: form(
    "Workspace",
    "HOME (Claude home)",
    "text",
    "Unset: the mount path. Must be inside it so sessions persist.",
  ),
});

export const emptyDirSizeLimit = field({
  key: "emptyDirSizeLimit",
  schema: quantity,
  form: form("Workspace", "emptyDir size limit", "text", "sizeLimit of an emptyDir workspace (e.g. 10Gi)."),
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
    "Safety net; the adapter deletes Jobs itself unless retainJobs.",
  ),
});

export const retainJobs = field({
  key: "retainJobs",
  schema: boolean,
  default: false,
  form: form("Cleanup", "Keep finished Jobs", "toggle", "Keep Jobs and their Secrets for inspection."),
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
