/**
 * The env of a run, built exactly as Paperclip's `claude_local` builds it (`buildClaudeRuntimeConfig` in its
 * `dist/server/execute.js`), from the env helpers of `@paperclipai/adapter-utils/server-utils` (a peer
 * dependency: the server's own copy). `parity.test.ts` feeds one corpus of wake contexts to this function and
 * to claude_local's `execute()` and asserts equal env. Redaction is Paperclip's plus a wider net of our own.
 */
import {
  applyPaperclipWorkspaceEnv,
  buildPaperclipEnv,
  isForbiddenConfigEnvKey,
  isPaperclipRuntimeEnvKey,
  readPaperclipIssueWorkModeFromContext,
  redactEnvForLogs,
  rewriteWorkspaceCwdEnvVarsForExecution,
  shapePaperclipWorkspaceEnvForExecution,
  stringifyPaperclipWakePayload,
} from "@paperclipai/adapter-utils/server-utils";
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
/** Paperclip's own log-redaction words plus credential/private-key names. */
const SENSITIVE_NAME_RE = /key|token|secret|password|passwd|authorization|cookie|credential|private/i;

export const REDACTED = "***REDACTED***";

/**
 * True when an env var's value must be treated as a secret (redacted in logs, stored as a k8s Secret):
 * everything Paperclip's `redactEnvForLogs` masks, and more, never less.
 */
export function isSensitiveEnvKey(name: string): boolean {
  return (
    SENSITIVE_SET.has(name) ||
    SENSITIVE_NAME_RE.test(name) ||
    redactEnvForLogs({ [name]: "" })[name] === REDACTED
  );
}

/** A copy of `env` with every sensitive value replaced by `***REDACTED***` (a superset of `redactEnvForLogs`). */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const out = redactEnvForLogs({ ...env });
  for (const key of Object.keys(out)) if (isSensitiveEnvKey(key)) out[key] = REDACTED;
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
  /**
   * Paperclip API base URL as reachable from where the CLI runs. Unset: Paperclip's own default
   * (`buildPaperclipEnv`: the server's PAPERCLIP_API_URL, PAPERCLIP_RUNTIME_API_URL, or its listen address).
   */
  apiUrl?: string | null | undefined;
  /** The agent's configured env (`config.env`). Never overrides the run's own PAPERCLIP_* variables. */
  userEnv?: Record<string, unknown> | null | undefined;
  /**
   * Where the workspace is for the CLI, when that is not Paperclip's path (`context.paperclipWorkspace.cwd`),
   * e.g. a volume mounted in a pod. A different path is shaped as Paperclip shapes a remote target's: this path
   * becomes PAPERCLIP_WORKSPACE_CWD, host paths in workspace hints and the worktree path are not exported.
   * Unset (or equal to Paperclip's path): exactly claude_local's local env.
   */
  workspaceCwd?: string | undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A trimmed non-empty string, else undefined. */
function trimmed(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** A non-empty string as is, else "" (server-utils' `asString(v, "")`). */
function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v) => typeof v === "object" && v !== null) : [];
}

/**
 * Normalises one configured env value: strings, finite numbers, booleans, or `{ value: string }` bindings.
 * (claude_local silently drops non-string values; we convert the unambiguous ones and refuse the rest.)
 */
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

function configuredEnv(userEnv: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(record(userEnv))) {
    if (!ENV_NAME_RE.test(key)) throw invalid(`env.${key}`, "not a valid environment variable name");
    const value = userEnvValue(key, raw);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Linux rejects a single env string over 128 KiB (MAX_ARG_STRLEN) with E2BIG; stay well below. */
export const MAX_WAKE_PAYLOAD_JSON = 96 * 1024;
const SHORT_TEXT_CHARS = 2000;

/**
 * `PAPERCLIP_WAKE_PAYLOAD_JSON`: Paperclip's normalised wake payload (`stringifyPaperclipWakePayload`), as
 * claude_local exports it. Only when that would not fit in one env var (where claude_local's spawn fails) it
 * is shortened: issue description and comment bodies cut, then comments dropped; `fallbackFetchNeeded: true`
 * tells the agent to read the thread from the API.
 */
export function wakePayloadJson(wake: unknown): string | undefined {
  const full = stringifyPaperclipWakePayload(wake) ?? undefined;
  if (full === undefined || full.length <= MAX_WAKE_PAYLOAD_JSON) return full;
  const payload = JSON.parse(full) as Record<string, unknown>;
  const cut = (s: unknown) => typeof s === "string" && s.length > SHORT_TEXT_CHARS;
  const issue = record(payload.issue);
  const shortIssue = cut(issue.description)
    ? {
        ...issue,
        description: String(issue.description).slice(0, SHORT_TEXT_CHARS),
        descriptionTruncated: true,
      }
    : payload.issue;
  const comments = objects(payload.comments);
  const shortened = JSON.stringify({
    ...payload,
    issue: shortIssue,
    fallbackFetchNeeded: true,
    comments: comments.map((c) =>
      cut(c.body) ? { ...c, body: String(c.body).slice(0, SHORT_TEXT_CHARS), bodyTruncated: true } : c,
    ),
  });
  if (shortened.length <= MAX_WAKE_PAYLOAD_JSON) return shortened;
  const ids = [
    ...new Set([
      ...(Array.isArray(payload.commentIds) ? payload.commentIds : []),
      ...comments.map((c) => c.id).filter((id) => typeof id === "string"),
    ]),
  ];
  const minimal = JSON.stringify({
    ...payload,
    issue: shortIssue,
    comments: [],
    commentIds: ids,
    truncated: true,
    fallbackFetchNeeded: true,
  });
  return minimal.length <= MAX_WAKE_PAYLOAD_JSON
    ? minimal
    : JSON.stringify({ reason: payload.reason ?? null, truncated: true, fallbackFetchNeeded: true });
}

/**
 * The full env for one CLI run, in claude_local's order: Paperclip's run variables (identity, wake,
 * workspace, runtime services), then the configured env (PAPERCLIP_API_KEY never, and no PAPERCLIP_* key the
 * run already sets), then PAPERCLIP_API_KEY from the run's auth token. Throws a config-invalid `RunError`
 * naming `env.<KEY>` for unusable values or names.
 */
export function buildRunEnv(input: RunEnvInput): Record<string, string> {
  if (!input.runId) throw invalid("runId", "required");
  if (!input.agent?.id) throw invalid("agent.id", "required");
  if (!input.agent.companyId) throw invalid("agent.companyId", "required");
  const ctx = record(input.context);
  const ws = record(ctx.paperclipWorkspace);
  const userEnv = configuredEnv(input.userEnv);

  const env: Record<string, string> = { ...buildPaperclipEnv(input.agent) };
  const apiUrl = trimmed(input.apiUrl);
  if (apiUrl !== undefined) env.PAPERCLIP_API_URL = apiUrl;
  env.PAPERCLIP_RUN_ID = input.runId;
  const linkedIssueIds = Array.isArray(ctx.issueIds) ? ctx.issueIds.filter((id) => trimmed(id)) : [];
  const vars: Record<string, string | null | undefined> = {
    PAPERCLIP_TASK_ID: trimmed(ctx.taskId) ?? trimmed(ctx.issueId),
    PAPERCLIP_ISSUE_WORK_MODE: readPaperclipIssueWorkModeFromContext(ctx),
    PAPERCLIP_WAKE_REASON: trimmed(ctx.wakeReason),
    PAPERCLIP_WAKE_COMMENT_ID: trimmed(ctx.wakeCommentId) ?? trimmed(ctx.commentId),
    PAPERCLIP_APPROVAL_ID: trimmed(ctx.approvalId),
    PAPERCLIP_APPROVAL_STATUS: trimmed(ctx.approvalStatus),
    PAPERCLIP_LINKED_ISSUE_IDS: linkedIssueIds.length > 0 ? linkedIssueIds.join(",") : undefined,
    PAPERCLIP_WAKE_PAYLOAD_JSON: wakePayloadJson(ctx.paperclipWake),
  };
  for (const [key, value] of Object.entries(vars)) if (value) env[key] = value;

  const paperclipCwd = text(ws.cwd);
  const executionCwd = input.workspaceCwd ?? paperclipCwd;
  const remote = executionCwd.trim() !== "" && executionCwd.trim() !== paperclipCwd.trim();
  const shaped = shapePaperclipWorkspaceEnvForExecution({
    workspaceCwd: paperclipCwd,
    workspaceWorktreePath: text(ws.worktreePath) || null,
    workspaceHints: objects(ctx.paperclipWorkspaces),
    executionTargetIsRemote: remote,
    executionCwd,
  });
  applyPaperclipWorkspaceEnv(env, {
    workspaceCwd: shaped.workspaceCwd,
    workspaceSource: text(ws.source),
    workspaceStrategy: text(ws.strategy),
    workspaceId: text(ws.workspaceId) || null,
    workspaceRepoUrl: text(ws.repoUrl) || null,
    workspaceRepoRef: text(ws.repoRef) || null,
    workspaceBranch: text(ws.branchName) || null,
    workspaceWorktreePath: shaped.workspaceWorktreePath,
    agentHome: text(ws.agentHome) || null,
  });
  const jsonVars: Record<string, unknown[]> = {
    PAPERCLIP_WORKSPACES_JSON: shaped.workspaceHints,
    PAPERCLIP_RUNTIME_SERVICE_INTENTS_JSON: objects(ctx.paperclipRuntimeServiceIntents),
    PAPERCLIP_RUNTIME_SERVICES_JSON: objects(ctx.paperclipRuntimeServices),
  };
  for (const [key, list] of Object.entries(jsonVars)) if (list.length > 0) env[key] = JSON.stringify(list);
  const primaryUrl = text(ctx.paperclipRuntimePrimaryUrl);
  if (primaryUrl) env.PAPERCLIP_RUNTIME_PRIMARY_URL = primaryUrl;

  const shapedUserEnv = rewriteWorkspaceCwdEnvVarsForExecution({
    env: userEnv,
    workspaceCwd: paperclipCwd,
    executionCwd: shaped.workspaceCwd,
    executionTargetIsRemote: remote,
  });
  for (const [key, value] of Object.entries(shapedUserEnv)) {
    if (isForbiddenConfigEnvKey(key)) continue;
    if (isPaperclipRuntimeEnvKey(key) && key in env) continue;
    env[key] = value;
  }
  if (input.authToken) env.PAPERCLIP_API_KEY = input.authToken;
  return env;
}
