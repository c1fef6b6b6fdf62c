import { configInvalid } from "./errors.js";

const invalid = (field: string, message: string) => configInvalid("adapter", [{ field, message }]);

/** Env names that always carry credentials. */
export const SENSITIVE_ENV_KEYS: readonly string[] = [
  "PAPERCLIP_API_KEY",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_CUSTOM_HEADERS",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_BEARER_TOKEN_BEDROCK",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "NPM_TOKEN",
  "PAPERCLIP_RUNTIME_TOOLS_TOKEN",
];

const SENSITIVE_SET = new Set(SENSITIVE_ENV_KEYS);
/** Same family of words Paperclip's own log redaction masks, plus credential/private-key names. */
const SENSITIVE_NAME_RE = /key|token|secret|password|passwd|authorization|cookie|credential|private/i;

/** True when an env var's value must be treated as a secret (redacted in logs, stored as a k8s Secret). */
export function isSensitiveEnvKey(name: string): boolean {
  return SENSITIVE_SET.has(name) || SENSITIVE_NAME_RE.test(name);
}

export const REDACTED = "***REDACTED***";

/** A copy of `env` with every sensitive value replaced by `***REDACTED***`. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) out[key] = isSensitiveEnvKey(key) ? REDACTED : value;
  return out;
}

export interface RunEnvAgent {
  id: string;
  companyId: string;
  name?: string | null | undefined;
}

export interface RunEnvInput {
  runId: string;
  agent: RunEnvAgent;
  /** Paperclip wake/task context (`ctx.context`). */
  context?: Record<string, unknown> | null | undefined;
  /** Run-scoped JWT (`ctx.authToken`); exported as PAPERCLIP_API_KEY. */
  authToken?: string | null | undefined;
  /** Paperclip API base URL as reachable from where the CLI runs. */
  apiUrl?: string | null | undefined;
  /** The agent's configured env (`config.env`). Never overrides the run's own variables. */
  userEnv?: Record<string, unknown> | null | undefined;
  /** Where the workspace is mounted for the CLI (defaults to context.paperclipWorkspace.cwd). */
  workspaceCwd?: string | undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function jsonOrUndefined(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return JSON.stringify(value);
}

/** Normalises one configured env value: strings, finite numbers, booleans, or `{ value: string }` bindings. */
function userEnvValue(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = record(value).value;
  if (typeof inner === "string") return inner;
  throw invalid(`env.${key}`, "expected a string (or { value: string }) — was the secret resolved?");
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Linux rejects a single env string over 128 KiB (MAX_ARG_STRLEN) with E2BIG; stay well below. */
export const MAX_WAKE_PAYLOAD_JSON = 96 * 1024;
const SHORT_COMMENT_CHARS = 2000;

/**
 * `PAPERCLIP_WAKE_PAYLOAD_JSON`: the wake payload as JSON, shortened when it would not fit in one env var
 * (comment bodies cut, then dropped; `fallbackFetchNeeded: true` tells the agent to read the thread from
 * the API instead).
 */
export function wakePayloadJson(wake: unknown): string | undefined {
  const full = jsonOrUndefined(wake);
  if (full === undefined || full.length <= MAX_WAKE_PAYLOAD_JSON) return full;
  const payload = record(wake);
  const comments = Array.isArray(payload.comments) ? payload.comments.map(record) : [];
  const shortened = JSON.stringify({
    ...payload,
    fallbackFetchNeeded: true,
    comments: comments.map((c) =>
      typeof c.body === "string" && c.body.length > SHORT_COMMENT_CHARS
        ? { ...c, body: c.body.slice(0, SHORT_COMMENT_CHARS), bodyTruncated: true }
        : c,
    ),
  });
  if (shortened.length <= MAX_WAKE_PAYLOAD_JSON) return shortened;
  const { comments: _dropped, ...rest } = payload;
  const ids = comments.map((c) => c.id).filter((id) => typeof id === "string");
  const minimal = JSON.stringify({
    ...rest,
    comments: [],
    commentIds: ids,
    truncated: true,
    fallbackFetchNeeded: true,
  });
  return minimal.length <= MAX_WAKE_PAYLOAD_JSON
    ? minimal
    : JSON.stringify({ reason: payload.reason ?? null, truncated: true, fallbackFetchNeeded: true });
}

/** The PAPERCLIP_* variables of a run, from Paperclip's execution context. */
export function buildPaperclipRunVars(input: RunEnvInput): Record<string, string> {
  const ctx = record(input.context);
  const ws = record(ctx.paperclipWorkspace);
  const vars: Record<string, string | undefined> = {
    PAPERCLIP_RUN_ID: input.runId,
    PAPERCLIP_AGENT_ID: input.agent.id,
    PAPERCLIP_COMPANY_ID: input.agent.companyId,
    PAPERCLIP_API_URL: str(input.apiUrl),
    PAPERCLIP_TASK_ID: str(ctx.taskId) ?? str(ctx.issueId),
    PAPERCLIP_ISSUE_WORK_MODE: str(ctx.issueWorkMode) ?? str(ctx.paperclipIssueWorkMode),
    PAPERCLIP_WAKE_REASON: str(ctx.wakeReason),
    PAPERCLIP_WAKE_COMMENT_ID: str(ctx.wakeCommentId) ?? str(ctx.commentId),
    PAPERCLIP_APPROVAL_ID: str(ctx.approvalId),
    PAPERCLIP_APPROVAL_STATUS: str(ctx.approvalStatus),
    PAPERCLIP_LINKED_ISSUE_IDS: Array.isArray(ctx.issueIds)
      ? ctx.issueIds.filter((id) => typeof id === "string" && id !== "").join(",") || undefined
      : undefined,
    PAPERCLIP_WAKE_PAYLOAD_JSON: wakePayloadJson(ctx.paperclipWake),
    PAPERCLIP_WORKSPACE_CWD: input.workspaceCwd ?? str(ws.cwd),
    PAPERCLIP_WORKSPACE_SOURCE: str(ws.source),
    PAPERCLIP_WORKSPACE_STRATEGY: str(ws.strategy),
    PAPERCLIP_WORKSPACE_ID: str(ws.workspaceId),
    PAPERCLIP_WORKSPACE_REPO_URL: str(ws.repoUrl),
    PAPERCLIP_WORKSPACE_REPO_REF: str(ws.repoRef),
    PAPERCLIP_WORKSPACE_BRANCH: str(ws.branchName),
    PAPERCLIP_WORKSPACE_WORKTREE_PATH: str(ws.worktreePath),
    PAPERCLIP_WORKSPACES_JSON: jsonOrUndefined(ctx.paperclipWorkspaces),
    PAPERCLIP_RUNTIME_SERVICE_INTENTS_JSON: jsonOrUndefined(ctx.paperclipRuntimeServiceIntents),
    PAPERCLIP_RUNTIME_SERVICES_JSON: jsonOrUndefined(ctx.paperclipRuntimeServices),
    PAPERCLIP_RUNTIME_PRIMARY_URL: str(ctx.paperclipRuntimePrimaryUrl),
    PAPERCLIP_API_KEY: str(input.authToken),
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * The full env for one CLI run: the user's configured env, then the run's PAPERCLIP_* variables on top.
 * A user-supplied PAPERCLIP_* key never wins over a run variable, and PAPERCLIP_API_KEY is only ever the
 * run's auth token. Throws a config-invalid `RunError` naming `env.<KEY>` for unusable values or names.
 */
export function buildRunEnv(input: RunEnvInput): Record<string, string> {
  if (!input.runId) throw invalid("runId", "required");
  if (!input.agent?.id) throw invalid("agent.id", "required");
  if (!input.agent.companyId) throw invalid("agent.companyId", "required");
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(record(input.userEnv))) {
    if (!ENV_NAME_RE.test(key)) throw invalid(`env.${key}`, "not a valid environment variable name");
    if (key === "PAPERCLIP_API_KEY") continue;
    const value = userEnvValue(key, raw);
    if (value !== undefined) env[key] = value;
  }
  const ws = record(record(input.context).paperclipWorkspace);
  const agentHome = str(ws.agentHome);
  if (agentHome !== undefined) env.AGENT_HOME = agentHome;
  return Object.assign(env, buildPaperclipRunVars(input));
}
