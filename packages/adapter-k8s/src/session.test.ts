import { claudeSessionCodec } from "@paperclip-k8s/claude-parse";
import { describe, expect, it } from "vitest";
import { decideResume, sessionCodec, sessionParamsFor } from "./session.js";

const ID = "0f8e2c1a-1234-4abc-9def-001122334455";
const runtime = (sessionParams: Record<string, unknown> | null, sessionId: string | null = null) => ({
  sessionId,
  sessionParams,
  sessionDisplayId: null,
  taskKey: null,
});

describe("sessionCodec", () => {
  it("keeps {sessionId, cwd} and the keys other Claude adapters store", () => {
    expect(
      sessionCodec.deserialize({ session_id: ID, workdir: "/w", promptBundleKey: "k", junk: 1 }),
    ).toEqual({
      sessionId: ID,
      cwd: "/w",
      promptBundleKey: "k",
    });
    expect(sessionCodec.serialize({ sessionId: ID, cwd: "/w" })).toEqual({ sessionId: ID, cwd: "/w" });
    expect(sessionCodec.getDisplayId?.({ sessionId: ID })).toBe(ID);
  });

  it("is claude-parse's shared codec, so claude_cli reads what it writes", () => {
    expect(sessionCodec).toBe(claudeSessionCodec);
    expect(sessionCodec.deserialize({ sessionId: ID, folder: "/w", cwd: "" })).toEqual({
      sessionId: ID,
      cwd: "/w",
    });
  });

  it("drops params without a session id", () => {
    expect(sessionCodec.deserialize({ cwd: "/w" })).toBeNull();
    expect(sessionCodec.deserialize("nope")).toBeNull();
  });
});

describe("decideResume", () => {
  const scope = {
    cwd: "/paperclip/w",
    claudeHome: "/paperclip/.claude",
    instructionsFilePath: undefined,
    persistentHome: true,
  };

  it("resumes a stored session recorded in the same cwd on a persistent home", () => {
    expect(decideResume(runtime({ sessionId: ID, cwd: "/paperclip/w" }), scope)).toEqual({
      resume: true,
      sessionId: ID,
    });
    expect(decideResume(runtime(null, ID), scope)).toEqual({ resume: true, sessionId: ID });
    expect(
      decideResume(runtime({ sessionId: ID, cwd: "/paperclip/w", claudeHome: "/paperclip/.claude" }), scope),
    ).toEqual({
      resume: true,
      sessionId: ID,
    });
  });

  it("starts fresh, saying why, when the session cannot be resumed", () => {
    const no = (params: Record<string, unknown> | null, over: Partial<typeof scope> = {}) =>
      decideResume(runtime(params), { ...scope, ...over });
    expect(no({ sessionId: ID, cwd: "/other" })).toMatchObject({
      resume: false,
      reason: expect.stringContaining("/other"),
    });
    expect(no({ sessionId: ID }, { persistentHome: false })).toMatchObject({
      resume: false,
      reason: expect.stringContaining("emptyDir"),
    });
    expect(no({ sessionId: "not-a-uuid" })).toMatchObject({ resume: false });
    expect(no({ sessionId: ID, claudeHome: "/home/x/.claude" })).toMatchObject({
      resume: false,
      reason: expect.stringContaining("Claude home"),
    });
    expect(
      no({ sessionId: ID, claudeHome: "/paperclip/.claude", instructionsFilePath: "/a.md" }),
    ).toMatchObject({
      resume: false,
      reason: expect.stringContaining("instructions"),
    });
    expect(no(null)).toEqual({ resume: false, sessionId: null, reason: null });
  });

  it("resumes a session claude_cli stored for the same workspace and Claude home, but never on an emptyDir", () => {
    // claude_cli's write format, with the path spelled differently
    const fromCli = {
      sessionId: ID,
      cwd: "/paperclip/w/",
      claudeHome: "/paperclip/./.claude",
      workspaceId: "ws",
    };
    const stored = sessionCodec.deserialize(sessionCodec.serialize(fromCli));
    expect(decideResume(runtime(stored), scope)).toEqual({ resume: true, sessionId: ID });
    expect(decideResume(runtime(stored), { ...scope, persistentHome: false })).toMatchObject({
      resume: false,
      reason: expect.stringContaining("emptyDir"),
    });
  });

  it("records claude_cli's full session format", () => {
    expect(sessionParamsFor({ ...scope, instructionsFilePath: "/i.md" })).toEqual({
      cwd: "/paperclip/w",
      claudeHome: "/paperclip/.claude",
      instructionsFilePath: "/i.md",
    });
  });
});
