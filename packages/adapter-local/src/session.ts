import type {
  AdapterRuntime,
  AdapterSessionCodec,
  AdapterSessionManagement,
  ClaudeSessionParams,
} from "@paperclip-k8s/claude-parse";
import {
  CLAUDE_SESSION_MANAGEMENT,
  canResume,
  claudeSessionCodec,
  readStoredSession,
  sessionScopeParams,
} from "@paperclip-k8s/claude-parse";

export { readSessionParams } from "@paperclip-k8s/claude-parse";
/**
 * What Paperclip stores between runs of an agent (per task): claude-parse's one definition, shared with claude_k8s,
 * so a session moves between the two adapters when both see the same Claude home and workspace paths.
 */
export type { ClaudeSessionParams };

export const sessionCodec: AdapterSessionCodec = claudeSessionCodec;

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

/** Whether to resume the stored session: claude-parse's shared decision (`canResume`); a local process adds no rule. */
export function decideResume(runtime: AdapterRuntime, scope: SessionScope): ResumeDecision {
  const stored = readStoredSession(runtime);
  if (stored === null) return { resume: false, sessionId: null, reason: null };
  const verdict = canResume(stored, scope);
  return verdict.resume
    ? { resume: true, sessionId: stored.sessionId }
    : { resume: false, sessionId: stored.sessionId, reason: verdict.reason };
}

/** What is stored next to the session id. */
export type StoredScope = Omit<ClaudeSessionParams, "sessionId">;

/** The params stored with a session this run created or continued (the id is added by claude-parse). */
export function scopeParams(scope: SessionScope): StoredScope {
  return sessionScopeParams(scope);
}

export function sessionParamsFor(sessionId: string, scope: SessionScope): ClaudeSessionParams {
  return { sessionId, ...scopeParams(scope) };
}
