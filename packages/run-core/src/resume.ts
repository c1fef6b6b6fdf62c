import type { AdapterRuntime } from "./contract.js";
import { canResume, readStoredSession, type SessionScope } from "./session-params.js";

/** Where this run's session lives: what a stored session must match to be resumed. */
export interface RunScope extends SessionScope {
  claudeHome: string;
  instructionsFilePath: string | undefined;
  /** False when nothing survives the run (a Kubernetes emptyDir): no session can be resumed from it. */
  persistentHome: boolean;
}

export type ResumeDecision =
  | { resume: true; sessionId: string }
  | { resume: false; sessionId: null; reason: string | null };

/**
 * Whether this run resumes the stored session: the same rule for every transport. A stored session is resumed when
 * it was made in the same Claude home, workspace and instructions, and the home outlives the run.
 */
export function decideResume(runtime: AdapterRuntime, scope: RunScope): ResumeDecision {
  const stored = readStoredSession(runtime);
  if (!stored) return { resume: false, sessionId: null, reason: null };
  const fresh = (why: string): ResumeDecision => ({
    resume: false,
    sessionId: null,
    reason: `session ${stored.sessionId} will not be resumed: ${why}`,
  });
  if (!scope.persistentHome)
    return fresh("the workspace does not outlive the run (no persistent Claude home)");
  const verdict = canResume(stored, scope);
  return verdict.resume ? { resume: true, sessionId: stored.sessionId } : fresh(verdict.reason);
}

/** A fresh session replacing the stored one. */
export function freshSession(reason: string): ResumeDecision {
  return { resume: false, sessionId: null, reason };
}
