import { describe, expect, it } from "vitest";
import {
  canResume,
  claudeSessionCodec,
  getDisplayId,
  readSessionParams,
  readStoredSession,
  type SessionScope,
  sessionScopeParams,
} from "./session-params.js";

const ID = "3f887842-66ab-4d0d-9cff-13e200a7e46f";
const scope: SessionScope = { cwd: "/srv/work", claudeHome: "/home/agent/.claude" };

describe("session params codec", () => {
  it("round-trips the full format and the passthrough keys unchanged", () => {
    const params = {
      sessionId: ID,
      ...sessionScopeParams({ ...scope, instructionsFilePath: "/srv/AGENTS.md" }),
      promptBundleKey: "bundle-1",
      workspaceId: "ws-9",
      mcpServerIdentity: '[{"name":"a"}]',
    };
    const stored = claudeSessionCodec.serialize(params);
    expect(stored).toEqual(params);
    expect(claudeSessionCodec.deserialize(stored)).toEqual(params);
    expect(claudeSessionCodec.deserialize(JSON.parse(JSON.stringify(stored)))).toEqual(params);
    expect(claudeSessionCodec.getDisplayId?.(stored)).toBe(ID);
  });

  it("round-trips params without a cwd and never emits a blank cwd", () => {
    expect(claudeSessionCodec.serialize({ sessionId: ID })).toEqual({ sessionId: ID });
    expect(claudeSessionCodec.serialize({ sessionId: ID, cwd: "" })).toEqual({ sessionId: ID });
    expect(claudeSessionCodec.serialize({ sessionId: ID, cwd: "  " })).not.toHaveProperty("cwd");
    expect(sessionScopeParams({ cwd: "" })).toEqual({});
  });

  it("reads the alternative spellings other producers use", () => {
    expect(readSessionParams({ session_id: ID, folder: "/w" })).toEqual({ sessionId: ID, cwd: "/w" });
    expect(readSessionParams({ session_id: ID, workdir: "/w" })).toEqual({ sessionId: ID, cwd: "/w" });
    expect(readSessionParams({ sessionId: ` ${ID} `, cwd: " /w ", folder: "/f" })).toEqual({
      sessionId: ID,
      cwd: "/w",
    });
    expect(readSessionParams({ sessionId: "", session_id: ID, cwd: "", folder: "/f" })).toEqual({
      sessionId: ID,
      cwd: "/f",
    });
  });

  it("drops unknown keys, non-string and blank passthrough values, and params without an id", () => {
    expect(
      readSessionParams({ sessionId: ID, junk: 1, workspaceId: 7, repoUrl: " ", repoRef: " main " }),
    ).toEqual({ sessionId: ID, repoRef: " main " });
    expect(readSessionParams({ cwd: "/w" })).toBeNull();
    expect(readSessionParams({ sessionId: 42 })).toBeNull();
    expect(readSessionParams("nope")).toBeNull();
    expect(readSessionParams([ID])).toBeNull();
    expect(readSessionParams(null)).toBeNull();
    expect(getDisplayId({ session_id: ID })).toBe(ID);
    expect(getDisplayId({})).toBeNull();
  });

  it("falls back to Paperclip's legacy bare session id", () => {
    expect(readStoredSession({ sessionId: ID, sessionParams: null })).toEqual({ sessionId: ID });
    expect(readStoredSession({ sessionId: "other", sessionParams: { sessionId: ID } })).toEqual({
      sessionId: ID,
    });
    expect(readStoredSession({ sessionId: null, sessionParams: null })).toBeNull();
  });
});

describe("canResume", () => {
  const full = { sessionId: ID, cwd: "/srv/work", claudeHome: "/home/agent/.claude" };

  it("resumes the same cwd and Claude home, compared as normalised posix paths", () => {
    expect(canResume(full, scope)).toEqual({ resume: true });
    expect(canResume({ ...full, cwd: "/srv/work/", claudeHome: "/home/agent/./.claude" }, scope)).toEqual({
      resume: true,
    });
    expect(canResume(full, { ...scope, cwd: "/srv/x/../work" })).toEqual({ resume: true });
  });

  it("resumes foreign { sessionId, cwd }-only params without checking Claude home or instructions", () => {
    const foreign = { sessionId: ID, cwd: "/srv/work" };
    expect(canResume(foreign, { ...scope, instructionsFilePath: "/srv/AGENTS.md" })).toEqual({
      resume: true,
    });
    expect(canResume({ sessionId: ID }, scope)).toEqual({ resume: true });
  });

  it.each([
    [{ ...full, sessionId: "my-title" }, scope, /not a UUID/],
    [{ ...full, cwd: "/elsewhere" }, scope, /created in \/elsewhere, this run works in \/srv\/work/],
    [{ ...full, cwd: "/srv/work2" }, scope, /created in/],
    [{ ...full, claudeHome: "/other/.claude" }, scope, /Claude home \/other\/.claude/],
    [{ ...full, instructionsFilePath: "/srv/OLD.md" }, scope, /instructions file changed/],
    [full, { ...scope, instructionsFilePath: "/srv/NEW.md" }, /instructions file changed/],
    [
      { ...full, instructionsFilePath: "/srv/OLD.md" },
      { ...scope, instructionsFilePath: "/srv/NEW.md" },
      /instructions/,
    ],
  ])("refuses %j in %j", (stored, current, reason) => {
    const verdict = canResume(stored, current);
    expect(verdict.resume).toBe(false);
    if (!verdict.resume) expect(verdict.reason).toMatch(reason);
  });

  it("resumes with the same instructions file, and skips the home check when this run's home is unknown", () => {
    const withInstructions = { ...full, instructionsFilePath: "/srv/AGENTS.md" };
    expect(canResume(withInstructions, { ...scope, instructionsFilePath: "/srv/./AGENTS.md" })).toEqual({
      resume: true,
    });
    expect(canResume({ ...full, claudeHome: "/other/.claude" }, { cwd: "/srv/work" })).toEqual({
      resume: true,
    });
  });
});

/**
 * claude-parse cannot import the adapters, so the params are built the way each adapter writes them (claude_k8s: its
 * scope verbatim plus what Paperclip carries; claude_cli: `sessionScopeParams` of a differently spelled path) and
 * read back through the codec both adapters export (each adapter's session test asserts its codec is this one).
 */
describe("sessions move between claude_k8s and claude_cli", () => {
  const k8sScope: SessionScope = { cwd: "/paperclip/work", claudeHome: "/paperclip/.claude" };
  const writtenByK8s = claudeSessionCodec.serialize({
    sessionId: ID,
    cwd: "/paperclip/work",
    claudeHome: "/paperclip/.claude",
    promptBundleKey: "k",
  });
  const writtenByLocal = claudeSessionCodec.serialize({
    sessionId: ID,
    ...sessionScopeParams({ ...k8sScope, cwd: "/paperclip/work/" }),
  });

  it("a claude_k8s session is resumed by claude_cli in the same cwd and Claude home", () => {
    const read = claudeSessionCodec.deserialize(writtenByK8s);
    const stored = readStoredSession({ sessionId: null, sessionParams: read });
    expect(stored).not.toBeNull();
    if (stored)
      expect(canResume(stored, { cwd: "/paperclip/work/", claudeHome: "/paperclip/.claude/" })).toEqual({
        resume: true,
      });
    expect(read).toMatchObject({ promptBundleKey: "k" });
  });

  it("a claude_cli session is resumed by claude_k8s in the same cwd and Claude home", () => {
    const stored = readStoredSession({
      sessionId: null,
      sessionParams: claudeSessionCodec.deserialize(writtenByLocal),
    });
    expect(stored).toEqual({ sessionId: ID, cwd: "/paperclip/work/", claudeHome: "/paperclip/.claude" });
    if (stored) expect(canResume(stored, k8sScope)).toEqual({ resume: true });
  });

  it("neither resumes the other's session from another Claude home", () => {
    const k8s = readSessionParams(writtenByK8s);
    const local = readSessionParams(writtenByLocal);
    if (!k8s || !local) throw new Error("params lost in the codec");
    expect(canResume(k8s, { cwd: "/paperclip/work", claudeHome: "/home/me/.claude" }).resume).toBe(false);
    expect(canResume(local, { cwd: "/paperclip/work", claudeHome: "/home/me/.claude" }).resume).toBe(false);
  });
});
