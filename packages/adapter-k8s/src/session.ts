import type {
  AdapterRuntime,
  AdapterSessionCodec,
  AdapterSessionManagement,
  ClaudeSessionParams,
  SessionScope as SharedSessionScope,
} from "@paperclip-k8s/claude-parse";
import {
  CLAUDE_SESSION_MANAGEMENT,
  canResume,
  claudeSessionCodec,
  readStoredSession,
  sessionScopeParams,
} from "@paperclip-k8s/claude-parse";

/**
 * Session params are claude-parse's one definition (`{ sessionId, cwd?, claudeHome?, instructionsFilePath? }` plus
 * the passthrough keys), shared with claude_cli, so an agent moves between a local process and Kubernetes without
 * losing its session when both see the same Claude home and workspace path.
 */
export type SessionParams = ClaudeSessionParams;

export const sessionCodec: AdapterSessionCodec = claudeSessionCodec;

/** Claude Code manages its own context window; Paperclip should not rotate sessions by thresholds. */
export const sessionManagement: AdapterSessionManagement = CLAUDE_SESSION_MANAGEMENT;

export type ResumeDecision =
  | { resume: true; sessionId: string }
  | { resume: false; sessionId: null; reason: string | null };

/** Where this run's session lives: what a stored session must match to be resumed. */
export interface SessionScope extends SharedSessionScope {
  claudeHome: string;
  instructionsFilePath: string | undefined;
  /** False for an emptyDir workspace: nothing survives the run, so nothing can be resumed. */
  persistentHome: boolean;
}

/**
 * Whether this run resumes the stored session: claude-parse's shared decision (`canResume`), plus the Kubernetes
 * rule that an emptyDir workspace has no persistent Claude home to resume from.
 */
export function decideResume(runtime: AdapterRuntime, scope: SessionScope): ResumeDecision {
  const stored = readStoredSession(runtime);
  if (!stored) return { resume: false, sessionId: null, reason: null };
  const fresh = (why: string): ResumeDecision => ({
    resume: false,
    sessionId: null,
    reason: `session ${stored.sessionId} will not be resumed: ${why}`,
  });
  if (!scope.persistentHome) return fresh("the workspace is an emptyDir (no persistent Claude home)");
  const verdict = canResume(stored, scope);
  return verdict.resume ? { resume: true, sessionId: stored.sessionId } : fresh(verdict.reason);
}

/** The params stored with a session this run created or continued (the id is added by claude-parse). */
export function sessionParamsFor(scope: SessionScope): Record<string, unknown> {
  return { ...sessionScopeParams(scope) };
}
