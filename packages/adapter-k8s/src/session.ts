import type {
  AdapterRuntime,
  AdapterSessionCodec,
  AdapterSessionManagement,
} from "@paperclip-k8s/claude-parse";
import { CLAUDE_SESSION_MANAGEMENT, isResumableSessionId } from "@paperclip-k8s/claude-parse";

/**
 * Session params are `{ sessionId, cwd }` — the same shape claude_local and claude_cli store — so an agent can
 * move between a local process and Kubernetes without losing its session, provided both see the same Claude
 * home and the same workspace path. Other string keys Paperclip's adapters store are carried through unchanged.
 */
export interface SessionParams {
  sessionId: string;
  cwd?: string;
  /** Claude config directory holding the transcript (`CLAUDE_CONFIG_DIR`, else `$HOME/.claude`), as claude_cli records it. */
  claudeHome?: string;
  /** Instructions file appended when the session was created (only on fresh sessions, so a change means fresh). */
  instructionsFilePath?: string;
  [key: string]: unknown;
}

const PASSTHROUGH_KEYS = ["promptBundleKey", "workspaceId", "repoUrl", "repoRef", "mcpServerIdentity"];

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

function normalize(raw: unknown): SessionParams | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const rec = raw as Record<string, unknown>;
  const sessionId = str(rec.sessionId) ?? str(rec.session_id);
  if (!sessionId) return null;
  const out: SessionParams = { sessionId };
  const cwd = str(rec.cwd) ?? str(rec.workdir) ?? str(rec.folder);
  if (cwd) out.cwd = cwd;
  const claudeHome = str(rec.claudeHome);
  if (claudeHome) out.claudeHome = claudeHome;
  const instructionsFilePath = str(rec.instructionsFilePath);
  if (instructionsFilePath) out.instructionsFilePath = instructionsFilePath;
  for (const key of PASSTHROUGH_KEYS) if (str(rec[key])) out[key] = rec[key];
  return out;
}

export const sessionCodec: AdapterSessionCodec = {
  deserialize: (raw) => normalize(raw),
  serialize: (params) => normalize(params),
  getDisplayId: (params) => normalize(params)?.sessionId ?? null,
};

/** Claude Code manages its own context window; Paperclip should not rotate sessions by thresholds. */
export const sessionManagement: AdapterSessionManagement = CLAUDE_SESSION_MANAGEMENT;

export type ResumeDecision =
  | { resume: true; sessionId: string }
  | { resume: false; sessionId: null; reason: string | null };

/** Where this run's session lives: what a stored session must match to be resumed. */
export interface SessionScope {
  cwd: string;
  claudeHome: string;
  instructionsFilePath: string | undefined;
  /** False for an emptyDir workspace: nothing survives the run, so nothing can be resumed. */
  persistentHome: boolean;
}

/**
 * Whether this run resumes the stored session: only a real session id (a UUID), only with a persistent Claude
 * home, only when the session was recorded for the same working directory and Claude home, and — for params that
 * record it (claude_cli's full format) — the same instructions file.
 */
export function decideResume(runtime: AdapterRuntime, scope: SessionScope): ResumeDecision {
  const params = normalize(runtime.sessionParams) ?? normalize({ sessionId: runtime.sessionId });
  if (!params) return { resume: false, sessionId: null, reason: null };
  const fresh = (why: string): ResumeDecision => ({
    resume: false,
    sessionId: null,
    reason: `session ${params.sessionId} ${why}`,
  });
  if (!isResumableSessionId(params.sessionId)) return fresh("is not a session id");
  if (!scope.persistentHome)
    return fresh("cannot be resumed: the workspace is an emptyDir (no persistent Claude home)");
  if (params.cwd && params.cwd !== scope.cwd)
    return fresh(`was recorded in ${params.cwd}, this run works in ${scope.cwd}`);
  if (params.claudeHome !== undefined) {
    if (params.claudeHome !== scope.claudeHome) {
      return fresh(`lives in Claude home ${params.claudeHome}, this run uses ${scope.claudeHome}`);
    }
    if ((params.instructionsFilePath ?? "") !== (scope.instructionsFilePath ?? ""))
      return fresh("was created with other instructions");
  }
  return { resume: true, sessionId: params.sessionId };
}

/** The params stored with a session this run created or continued (claude_cli's format). */
export function sessionParamsFor(scope: SessionScope): Record<string, unknown> {
  return {
    cwd: scope.cwd,
    claudeHome: scope.claudeHome,
    ...(scope.instructionsFilePath ? { instructionsFilePath: scope.instructionsFilePath } : {}),
  };
}
