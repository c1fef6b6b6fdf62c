import { isResumableSessionId } from "@paperclip-k8s/claude-parse";
import type { AdapterRuntime, AdapterSessionCodec, AdapterSessionManagement } from "./paperclip-types.js";

/**
 * Session params are `{ sessionId, cwd }` — the same shape claude_local and claude_cli store — so an agent can
 * move between a local process and Kubernetes without losing its session, provided both see the same Claude
 * home and the same workspace path. Other string keys Paperclip's adapters store are carried through unchanged.
 */
export interface SessionParams {
  sessionId: string;
  cwd?: string;
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
  for (const key of PASSTHROUGH_KEYS) if (str(rec[key])) out[key] = rec[key];
  return out;
}

export const sessionCodec: AdapterSessionCodec = {
  deserialize: (raw) => normalize(raw),
  serialize: (params) => normalize(params),
  getDisplayId: (params) => normalize(params)?.sessionId ?? null,
};

export const sessionManagement: AdapterSessionManagement = {
  supportsSessionResume: true,
  nativeContextManagement: "confirmed",
  defaultSessionCompaction: { enabled: true, maxSessionRuns: 0, maxRawInputTokens: 0, maxSessionAgeHours: 0 },
};

export type ResumeDecision =
  | { resume: true; sessionId: string }
  | { resume: false; sessionId: null; reason: string | null };

/**
 * Whether this run resumes the stored session: only a real session id (a UUID), only with a persistent Claude
 * home, and only when the session was recorded for the same working directory.
 */
export function decideResume(runtime: AdapterRuntime, cwd: string, persistentHome: boolean): ResumeDecision {
  const params = normalize(runtime.sessionParams) ?? normalize({ sessionId: runtime.sessionId });
  if (!params) return { resume: false, sessionId: null, reason: null };
  if (!isResumableSessionId(params.sessionId)) {
    return {
      resume: false,
      sessionId: null,
      reason: `stored session "${params.sessionId}" is not a session id`,
    };
  }
  if (!persistentHome) {
    return {
      resume: false,
      sessionId: null,
      reason: `session ${params.sessionId} cannot be resumed: the workspace is an emptyDir (no persistent Claude home)`,
    };
  }
  if (params.cwd && params.cwd !== cwd) {
    return {
      resume: false,
      sessionId: null,
      reason: `session ${params.sessionId} was recorded in ${params.cwd}, this run works in ${cwd}`,
    };
  }
  return { resume: true, sessionId: params.sessionId };
}
