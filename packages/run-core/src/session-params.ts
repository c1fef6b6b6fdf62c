import { posix } from "node:path";
import { isResumableSessionId } from "@paperclip-k8s/claude-parse";
import type { AdapterRuntime, AdapterSessionCodec } from "./contract.js";

/**
 * The session params claude_k8s and claude_cli store between runs — one definition, so a session written by either
 * adapter is read and resumed the same way by the other when both see the same Claude home and workspace path.
 */
export interface ClaudeSessionParams {
  /** The CLI's session id (a UUID), passed to `--resume`. */
  sessionId: string;
  /** Absolute working directory the session was created in (Claude keys its transcripts by cwd). Absent if unknown. */
  cwd?: string;
  /** Claude config directory holding the transcript (`CLAUDE_CONFIG_DIR`, else `$HOME/.claude`). */
  claudeHome?: string;
  /** Instructions file appended to the system prompt when the session was created (fresh sessions only). */
  instructionsFilePath?: string;
  /** Digest of the run bundle (skills, instructions bundle) the session was created with (claude_local's key). */
  promptBundleKey?: string;
  /** `[{name,url,connectionId}]` of the Paperclip MCP servers the session had (claude_local's key). */
  mcpServerIdentity?: string;
  /** Keys other Paperclip Claude adapters store (see {@link SESSION_PASSTHROUGH_KEYS}), carried through unchanged. */
  [passthrough: string]: unknown;
}

/** Keys Paperclip's own Claude adapters store next to the session; opaque to us, so carried through verbatim. */
export const SESSION_PASSTHROUGH_KEYS: readonly string[] = [
  "promptBundleKey",
  "mcpServerIdentity",
  "workspaceId",
  "repoUrl",
  "repoRef",
];

/** Accepted spellings of the working directory, preferred first (`workdir`, `folder`: older producers). */
const CWD_KEYS = ["cwd", "workdir", "folder"] as const;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function firstText(rec: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = text(rec[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * Reads stored params tolerantly: `sessionId` or `session_id`; `cwd`, `workdir` or `folder`; blank strings count as
 * absent and known fields are trimmed. Unknown keys are dropped except the passthrough keys, whose non-blank string
 * values are kept verbatim. Null without a session id.
 */
export function readSessionParams(raw: unknown): ClaudeSessionParams | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const rec = raw as Record<string, unknown>;
  const sessionId = firstText(rec, ["sessionId", "session_id"]);
  if (sessionId === undefined) return null;
  const params: ClaudeSessionParams = { sessionId };
  const cwd = firstText(rec, CWD_KEYS);
  if (cwd !== undefined) params.cwd = cwd;
  const claudeHome = text(rec.claudeHome);
  if (claudeHome !== undefined) params.claudeHome = claudeHome;
  const instructionsFilePath = text(rec.instructionsFilePath);
  if (instructionsFilePath !== undefined) params.instructionsFilePath = instructionsFilePath;
  for (const key of SESSION_PASSTHROUGH_KEYS) {
    const value = rec[key];
    if (text(value) !== undefined) params[key] = value;
  }
  return params;
}

/** The stored session of a run: `runtime.sessionParams`, else Paperclip's legacy bare `runtime.sessionId`. */
export function readStoredSession(
  runtime: Pick<AdapterRuntime, "sessionId" | "sessionParams">,
): ClaudeSessionParams | null {
  return readSessionParams(runtime.sessionParams) ?? readSessionParams({ sessionId: runtime.sessionId });
}

export function getDisplayId(params: unknown): string | null {
  return readSessionParams(params)?.sessionId ?? null;
}

/** Paperclip's session codec for both adapters: serialize and deserialize both normalise through {@link readSessionParams}. */
export const claudeSessionCodec: AdapterSessionCodec = {
  deserialize: (raw) => toRecord(readSessionParams(raw)),
  serialize: (params) => toRecord(readSessionParams(params)),
  getDisplayId,
};

function toRecord(params: ClaudeSessionParams | null): Record<string, unknown> | null {
  return params === null ? null : { ...params };
}

/** Where this run's session lives: what a stored session must match to be resumed. */
export interface SessionScope {
  cwd: string;
  /** Unknown when undefined: a stored Claude home is then not checked. */
  claudeHome?: string | undefined;
  instructionsFilePath?: string | undefined;
  /**
   * Digest of this run's bundle (run-core's `RunBundle.digest`). Undefined: not checked. A stored session made with
   * another bundle is not resumed; one that recorded none is (claude_local's rule).
   */
  promptBundleKey?: string | undefined;
  /**
   * This run's MCP server identity (`McpPlan.identity`). Undefined: not checked. A stored session with another
   * identity is not resumed; one that recorded none only when this run has no servers (claude_local's rule).
   */
  mcpServerIdentity?: string | undefined;
}

/** The params stored next to the session id of a session this run created or continued. */
export function sessionScopeParams(scope: SessionScope): Omit<ClaudeSessionParams, "sessionId"> {
  const params: Omit<ClaudeSessionParams, "sessionId"> = {};
  const cwd = text(scope.cwd);
  if (cwd !== undefined) params.cwd = cwd;
  const claudeHome = text(scope.claudeHome);
  if (claudeHome !== undefined) params.claudeHome = claudeHome;
  const instructionsFilePath = text(scope.instructionsFilePath);
  if (instructionsFilePath !== undefined) params.instructionsFilePath = instructionsFilePath;
  const promptBundleKey = text(scope.promptBundleKey);
  if (promptBundleKey !== undefined) params.promptBundleKey = promptBundleKey;
  const mcpServerIdentity = text(scope.mcpServerIdentity);
  if (mcpServerIdentity !== undefined) params.mcpServerIdentity = mcpServerIdentity;
  return params;
}

export type ResumeVerdict = { resume: true } | { resume: false; reason: string };

/** Lexical path identity (posix): `/a/./b/` and `/a/b` are the same place; no filesystem access. */
function samePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    const n = posix.normalize(p.trim());
    return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
  };
  return norm(a) === norm(b);
}

/**
 * What the run ships beside the prompt changed since the session was made: another run bundle (skills, instructions
 * bundle: claude_local's rule), or a Paperclip MCP server the session used is gone or changed (claude_local refuses
 * any change; see {@link serversKept}). Only what this run knows is checked.
 */
function shippedContentChange(stored: ClaudeSessionParams, current: SessionScope): string | undefined {
  const storedBundle = text(stored.promptBundleKey);
  const currentBundle = text(current.promptBundleKey);
  if (storedBundle !== undefined && currentBundle !== undefined && storedBundle !== currentBundle) {
    return "the run bundle (skills, instructions) changed";
  }
  if (current.mcpServerIdentity === undefined) return undefined;
  const storedMcp = text(stored.mcpServerIdentity) ?? "[]";
  const currentMcp = text(current.mcpServerIdentity) ?? "[]";
  if (!serversKept(storedMcp, currentMcp))
    return "Paperclip MCP servers the session used are gone or changed";
  return undefined;
}

/**
 * True when every MCP server the session was made with is still offered, unchanged. claude_local starts fresh on any
 * difference; servers that were ADDED take nothing from the session (it never saw them), and Paperclip adds its
 * runtime-tools server to some wakes and not others, so refusing then threw the session away between two ordinary
 * wakes. Identities that cannot be read are compared as text.
 */
function serversKept(storedIdentity: string, currentIdentity: string): boolean {
  const stored = identityEntries(storedIdentity);
  const current = identityEntries(currentIdentity);
  if (stored === undefined || current === undefined) return storedIdentity === currentIdentity;
  return stored.every((entry) => current.includes(entry));
}

function identityEntries(identity: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(identity);
    return Array.isArray(parsed) ? parsed.map((entry) => JSON.stringify(entry)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a stored session may be resumed by this run: only a UUID, created in the same cwd (when recorded), in the
 * same Claude home (when both are known) and — for params that record the Claude home, i.e. the full format both our
 * adapters write — with the same instructions file, which is only appended on fresh sessions. Params without
 * `claudeHome` come from producers that record neither field (claude_local, `{ sessionId, cwd }` only).
 * Adapter-specific rules (e.g. an ephemeral workspace) belong to the caller.
 */
export function canResume(stored: ClaudeSessionParams, current: SessionScope): ResumeVerdict {
  const refuse = (reason: string): ResumeVerdict => ({ resume: false, reason });
  if (!isResumableSessionId(stored.sessionId)) return refuse("its id is not a UUID");
  if (stored.cwd !== undefined && !samePath(stored.cwd, current.cwd)) {
    return refuse(`it was created in ${stored.cwd}, this run works in ${current.cwd}`);
  }
  const shipped = shippedContentChange(stored, current);
  if (shipped !== undefined) return refuse(shipped);
  if (stored.claudeHome === undefined) return { resume: true };
  if (current.claudeHome !== undefined && !samePath(stored.claudeHome, current.claudeHome)) {
    return refuse(`it lives in Claude home ${stored.claudeHome}, this run uses ${current.claudeHome}`);
  }
  const storedInstructions = stored.instructionsFilePath ?? "";
  const currentInstructions = text(current.instructionsFilePath) ?? "";
  const sameInstructions =
    storedInstructions === "" || currentInstructions === ""
      ? storedInstructions === currentInstructions
      : samePath(storedInstructions, currentInstructions);
  return sameInstructions ? { resume: true } : refuse("the instructions file changed");
}
