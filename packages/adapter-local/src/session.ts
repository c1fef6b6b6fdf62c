import { resolve } from "node:path";
import type {
  AdapterRuntime,
  AdapterSessionCodec,
  AdapterSessionManagement,
} from "@paperclip-k8s/claude-parse";
import { CLAUDE_SESSION_MANAGEMENT, isResumableSessionId } from "@paperclip-k8s/claude-parse";

/**
 * What Paperclip stores between runs of an agent (per task). The same shape as claude_k8s, so a session moves between
 * the two adapters when both see the same Claude home and workspace paths.
 */
export interface ClaudeSessionParams {
  /** The CLI's session id (a UUID), passed to `--resume`. */
  sessionId: string;
  /** Absolute working directory the session was created in (Claude keys its transcripts by cwd). */
  cwd: string;
  /** Claude config directory holding the transcript (`CLAUDE_CONFIG_DIR`, else `$HOME/.claude`). */
  claudeHome?: string;
  /** Instructions file appended to the system prompt when the session was created. */
  instructionsFilePath?: string;
  /** Keys other Paperclip Claude adapters store (promptBundleKey, workspaceId, ...), carried through unchanged. */
  [passthrough: string]: unknown;
}

const PASSTHROUGH_KEYS = ["promptBundleKey", "mcpServerIdentity", "workspaceId", "repoUrl", "repoRef"];

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Reads stored params leniently (also Paperclip's legacy `session_id` / `workdir` spellings); null without an id. */
export function readSessionParams(raw: unknown): ClaudeSessionParams | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const rec = raw as Record<string, unknown>;
  const sessionId = text(rec.sessionId) ?? text(rec.session_id);
  if (sessionId === undefined) return null;
  const params: ClaudeSessionParams = { sessionId, cwd: text(rec.cwd) ?? text(rec.workdir) ?? "" };
  const claudeHome = text(rec.claudeHome);
  if (claudeHome !== undefined) params.claudeHome = claudeHome;
  const instructionsFilePath = text(rec.instructionsFilePath);
  if (instructionsFilePath !== undefined) params.instructionsFilePath = instructionsFilePath;
  for (const key of PASSTHROUGH_KEYS) {
    const value = text(rec[key]);
    if (value !== undefined) params[key] = value;
  }
  return params;
}

export const sessionCodec: AdapterSessionCodec = {
  deserialize: (raw) => serializable(readSessionParams(raw)),
  serialize: (params) => serializable(readSessionParams(params)),
  getDisplayId: (params) => readSessionParams(params)?.sessionId ?? null,
};

function serializable(params: ClaudeSessionParams | null): Record<string, unknown> | null {
  return params === null ? null : { ...params };
}

/** Claude Code manages its own context window; Paperclip should not rotate sessions by thresholds. */
export const sessionManagement: AdapterSessionManagement = CLAUDE_SESSION_MANAGEMENT;

/** The identity a new or resumed session of this run has. */
export interface SessionScope {
  cwd: string;
  claudeHome: string;
  instructionsFilePath: string | undefined;
}

export type ResumeDecision =
  | { resume: true; sessionId: string }
  | { resume: false; sessionId: string | null; reason: string | null };

/**
 * Whether to resume the stored session: only a valid UUID created in the same cwd, with the same Claude home and the
 * same instructions file (which is only appended on a fresh session). Params without `claudeHome` come from a
 * producer that records neither field (claude_local, an older claude_k8s): only the id and cwd are checked then.
 */
export function decideResume(runtime: AdapterRuntime, scope: SessionScope): ResumeDecision {
  const stored =
    readSessionParams(runtime.sessionParams) ?? readSessionParams({ sessionId: runtime.sessionId });
  if (stored === null) return { resume: false, sessionId: null, reason: null };
  const { sessionId } = stored;
  const refuse = (reason: string): ResumeDecision => ({ resume: false, sessionId, reason });
  if (!isResumableSessionId(sessionId)) return refuse("its id is not a UUID");
  if (stored.cwd !== "" && resolve(stored.cwd) !== resolve(scope.cwd)) {
    return refuse(`it was created in ${stored.cwd}, this run works in ${scope.cwd}`);
  }
  if (stored.claudeHome !== undefined && resolve(stored.claudeHome) !== resolve(scope.claudeHome)) {
    return refuse(`it lives in Claude home ${stored.claudeHome}, this run uses ${scope.claudeHome}`);
  }
  const fullFormat = stored.claudeHome !== undefined;
  if (fullFormat && (stored.instructionsFilePath ?? "") !== (scope.instructionsFilePath ?? "")) {
    return refuse("the instructions file changed");
  }
  return { resume: true, sessionId };
}

/** What is stored next to the session id. */
export interface StoredScope {
  cwd: string;
  claudeHome?: string;
  instructionsFilePath?: string;
}

/** The params stored with a session this run created or continued (the id is added by claude-parse). */
export function scopeParams(scope: SessionScope): StoredScope {
  const params: StoredScope = { cwd: scope.cwd, claudeHome: scope.claudeHome };
  if (scope.instructionsFilePath !== undefined) params.instructionsFilePath = scope.instructionsFilePath;
  return params;
}

export function sessionParamsFor(sessionId: string, scope: SessionScope): ClaudeSessionParams {
  return { sessionId, ...scopeParams(scope) };
}
