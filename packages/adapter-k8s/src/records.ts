import {
  type AdapterExecutionResult,
  type AdapterSessionCodec,
  claudeSessionCodec,
  freshSession,
  type ResumeDecision,
  type RunScope,
} from "@paperclip-k8s/run-core";

/**
 * What Paperclip stores about a claude_k8s session, made truthful:
 *
 * - The session's working directory is a path in the pod. Paperclip reads a stored `cwd` as a directory on its own
 *   disk (it stats it and, when missing, logs "Saved session workspace … is not available"), so the pod path is
 *   stored as `podCwd`, which Paperclip does not look at, and `cwd` is not stored. The resume rule still compares
 *   it: a session made in another pod cwd is not resumed ({@link checkPodCwd}).
 * - Paperclip records `sessionReused` whenever it hands the adapter a stored session. A run whose workspace is an
 *   emptyDir can never resume, so its session is not stored at all (`clearSession`): the next run is recorded as a
 *   fresh session, which it is. The session id stays in the result JSON and the transcript.
 */
export const POD_CWD_KEY = "podCwd";

function podCwdOf(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const value = (raw as Record<string, unknown>)[POD_CWD_KEY];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function withPodCwd(
  base: Record<string, unknown> | null,
  raw: unknown,
  dropCwd: boolean,
): Record<string, unknown> | null {
  if (base === null) return null;
  const podCwd = podCwdOf(raw) ?? (dropCwd && typeof base.cwd === "string" ? base.cwd : undefined);
  const { cwd: _cwd, ...rest } = base;
  if (podCwd === undefined) return base;
  return { ...rest, [POD_CWD_KEY]: podCwd };
}

/**
 * run-core's Claude session codec, keeping the pod cwd under `podCwd` (serialize moves a `cwd` there; params stored
 * by older versions with `cwd` are read as they are).
 */
export const k8sSessionCodec: AdapterSessionCodec = {
  deserialize: (raw) => {
    const base = claudeSessionCodec.deserialize(raw);
    return podCwdOf(raw) === undefined ? base : withPodCwd(base, raw, false);
  },
  serialize: (params) => withPodCwd(claudeSessionCodec.serialize(params), params, true),
  ...(claudeSessionCodec.getDisplayId ? { getDisplayId: claudeSessionCodec.getDisplayId } : {}),
};

/** Session params of this run's result: the scope's params with the pod cwd under `podCwd`. */
export function podSessionParams(params: Record<string, unknown>): Record<string, unknown> {
  const { cwd, ...rest } = params;
  return typeof cwd === "string" ? { ...rest, [POD_CWD_KEY]: cwd } : rest;
}

/** The core's resume decision, refused when the stored session was made in another pod cwd. */
export function checkPodCwd(
  decision: ResumeDecision,
  storedParams: unknown,
  scope: RunScope,
): ResumeDecision {
  const stored = podCwdOf(storedParams);
  if (!decision.resume || stored === undefined) return decision;
  const norm = (p: string) => p.replace(/\/+$/, "") || "/";
  if (norm(stored) === norm(scope.cwd)) return decision;
  return freshSession(
    `session ${decision.sessionId} will not be resumed: it was created in ${stored}, this run works in ${scope.cwd}`,
  );
}

/** A result whose session records tell the truth (see above). */
export function truthfulSession(result: AdapterExecutionResult, scope: RunScope): AdapterExecutionResult {
  if (scope.persistentHome) {
    if (!result.sessionParams) return result;
    return { ...result, sessionParams: podSessionParams(result.sessionParams) };
  }
  if (!result.sessionId && !result.sessionParams && !result.sessionDisplayId) return result;
  return {
    ...result,
    sessionId: null,
    sessionParams: null,
    sessionDisplayId: null,
    clearSession: true,
    resultJson: {
      ...(result.resultJson ?? {}),
      ephemeralSessionId: result.sessionId ?? result.sessionDisplayId ?? null,
    },
  };
}
