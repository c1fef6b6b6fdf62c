import { describe, expect, it } from "vitest";
import { decideResume, sessionCodec } from "./session.js";

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

  it("drops params without a session id", () => {
    expect(sessionCodec.deserialize({ cwd: "/w" })).toBeNull();
    expect(sessionCodec.deserialize("nope")).toBeNull();
  });
});

describe("decideResume", () => {
  it("resumes a stored session recorded in the same cwd on a persistent home", () => {
    expect(decideResume(runtime({ sessionId: ID, cwd: "/paperclip/w" }), "/paperclip/w", true)).toEqual({
      resume: true,
      sessionId: ID,
    });
    expect(decideResume(runtime(null, ID), "/paperclip/w", true)).toEqual({ resume: true, sessionId: ID });
  });

  it("starts fresh, saying why, when the session cannot be resumed", () => {
    expect(decideResume(runtime({ sessionId: ID, cwd: "/other" }), "/paperclip/w", true)).toMatchObject({
      resume: false,
      reason: expect.stringContaining("/other"),
    });
    expect(decideResume(runtime({ sessionId: ID }), "/w", false)).toMatchObject({
      resume: false,
      reason: expect.stringContaining("emptyDir"),
    });
    expect(decideResume(runtime({ sessionId: "not-a-uuid" }), "/w", true)).toMatchObject({ resume: false });
    expect(decideResume(runtime(null), "/w", true)).toEqual({ resume: false, sessionId: null, reason: null });
  });
});
