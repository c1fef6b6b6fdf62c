import { describe, expect, it } from "vitest";
import type { AdapterRuntime } from "./contract.js";
import { decideResume, type RunScope } from "./resume.js";
import { claudeSessionCodec, readSessionParams, sessionScopeParams } from "./session-params.js";

const sessionCodec = claudeSessionCodec;
const sessionParamsFor = (sessionId: string, scope: RunScope) => ({
  sessionId,
  ...sessionScopeParams(scope),
});

const ID = "3f887842-66ab-4d0d-9cff-13e200a7e46f";
const scope: RunScope = {
  cwd: "/srv/work",
  claudeHome: "/home/agent/.claude",
  instructionsFilePath: undefined,
  persistentHome: true,
};

describe("session params", () => {
  it("round-trips through the codec in the shape shared with claude_k8s", () => {
    const params = sessionParamsFor(ID, { ...scope, instructionsFilePath: "/srv/AGENTS.md" });
    expect(params).toEqual({
      sessionId: ID,
      cwd: "/srv/work",
      claudeHome: "/home/agent/.claude",
      instructionsFilePath: "/srv/AGENTS.md",
    });
    const stored = sessionCodec.serialize({ ...params });
    expect(sessionCodec.deserialize(stored)).toEqual(params);
    expect(sessionCodec.getDisplayId?.(stored)).toBe(ID);
  });

  it("reads legacy spellings and refuses params without an id", () => {
    expect(readSessionParams({ session_id: ID, workdir: "/w" })).toEqual({ sessionId: ID, cwd: "/w" });
    expect(sessionCodec.deserialize({ cwd: "/w" })).toBeNull();
    expect(sessionCodec.deserialize("nope")).toBeNull();
  });

  it("stores no blank cwd", () => {
    expect(readSessionParams({ session_id: ID, folder: "/w" })).toEqual({ sessionId: ID, cwd: "/w" });
    expect(sessionCodec.serialize({ sessionId: ID, cwd: "" })).toEqual({ sessionId: ID });
  });
});

/** A full Paperclip runtime with the given fields (Paperclip always sends all four). */
function resumeWith(runtime: Partial<AdapterRuntime>, within: RunScope) {
  return decideResume(
    { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null, ...runtime },
    within,
  );
}

describe("decideResume", () => {
  const stored = { sessionId: ID, cwd: "/srv/work", claudeHome: "/home/agent/.claude" };

  it("resumes a session from the same cwd and Claude home", () => {
    expect(resumeWith({ sessionParams: stored }, scope)).toEqual({ resume: true, sessionId: ID });
    expect(resumeWith({ sessionParams: { ...stored, cwd: "/srv/work/" } }, scope).resume).toBe(true);
  });

  it("resumes a legacy bare session id", () => {
    expect(resumeWith({ sessionId: ID, sessionParams: null }, scope)).toEqual({
      resume: true,
      sessionId: ID,
    });
  });

  it("starts fresh without a stored session", () => {
    expect(resumeWith({ sessionParams: null }, scope)).toEqual({
      resume: false,
      sessionId: null,
      reason: null,
    });
  });

  it.each([
    [{ ...stored, sessionId: "my-title" }, /not a UUID/],
    [{ ...stored, cwd: "/elsewhere" }, /created in \/elsewhere/],
    [{ ...stored, claudeHome: "/other/.claude" }, /Claude home/],
    [{ ...stored, instructionsFilePath: "/srv/OLD.md" }, /instructions file changed/],
  ])("does not resume %j", (params, reason) => {
    const decision = resumeWith({ sessionParams: params }, scope);
    expect(decision.resume).toBe(false);
    if (!decision.resume) expect(decision.reason).toMatch(reason);
  });

  it("does not resume when an instructions file was added since", () => {
    expect(
      resumeWith({ sessionParams: stored }, { ...scope, instructionsFilePath: "/srv/NEW.md" }).resume,
    ).toBe(false);
  });

  it("resumes a session stored by claude_k8s / claude_local ({ sessionId, cwd } only) in the same cwd", () => {
    const foreign = { sessionId: ID, cwd: "/srv/work", promptBundleKey: "abc" };
    const withInstructions = { ...scope, instructionsFilePath: "/srv/AGENTS.md" };
    expect(resumeWith({ sessionParams: foreign }, withInstructions)).toEqual({
      resume: true,
      sessionId: ID,
    });
    expect(sessionCodec.deserialize(foreign)).toEqual(foreign);
  });

  it("resumes a session claude_k8s stored for the same workspace and Claude home", () => {
    // claude_k8s's write format, with the paths spelled differently
    const fromK8s = {
      sessionId: ID,
      cwd: "/srv/./work",
      claudeHome: "/home/agent/.claude/",
      workspaceId: "ws",
    };
    const stored = sessionCodec.deserialize(sessionCodec.serialize(fromK8s));
    expect(resumeWith({ sessionParams: stored }, scope)).toEqual({ resume: true, sessionId: ID });
    expect(resumeWith({ sessionParams: stored }, { ...scope, claudeHome: "/root/.claude" }).resume).toBe(
      false,
    );
  });

  describe("what the run ships (issue 14 item 5)", () => {
    const mcpA = JSON.stringify([{ name: "paperclip", url: "http://pc/mcp", connectionId: "c1" }]);
    const mcpB = JSON.stringify([{ name: "paperclip", url: "http://pc/mcp", connectionId: "c2" }]);
    const shipping = { ...scope, promptBundleKey: "digest-a", mcpServerIdentity: mcpA };
    const made = { sessionId: ID, ...sessionScopeParams(shipping) };

    it("stores the bundle digest and the MCP identity, and resumes when both are unchanged", () => {
      expect(made).toMatchObject({ promptBundleKey: "digest-a", mcpServerIdentity: mcpA });
      const stored = sessionCodec.deserialize(sessionCodec.serialize(made));
      expect(resumeWith({ sessionParams: stored }, shipping)).toEqual({ resume: true, sessionId: ID });
    });

    it.each([
      [{ ...shipping, promptBundleKey: "digest-b" }, /run bundle \(skills, instructions\) changed/],
      [{ ...shipping, mcpServerIdentity: mcpB }, /MCP servers the session used are gone or changed/],
      [{ ...shipping, mcpServerIdentity: "[]" }, /MCP servers the session used are gone or changed/],
    ])("starts fresh in %j", (current, reason) => {
      const decision = resumeWith({ sessionParams: made }, current);
      expect(decision).toMatchObject({ resume: false, sessionId: null });
      if (!decision.resume) expect(decision.reason).toMatch(reason);
    });

    it("servers added since the session was made do not stop a resume (the session never saw them); no recorded bundle resumes", () => {
      expect(resumeWith({ sessionParams: stored }, { ...shipping, mcpServerIdentity: "[]" }).resume).toBe(
        true,
      );
      // made with no servers (Paperclip adds its runtime-tools server to some wakes only): resumed with them
      expect(resumeWith({ sessionParams: stored }, shipping).resume).toBe(true);
      const both = JSON.stringify([
        ...JSON.parse(mcpA),
        { name: "extra", url: "http://x/mcp", connectionId: "c9" },
      ]);
      expect(resumeWith({ sessionParams: made }, { ...shipping, mcpServerIdentity: both }).resume).toBe(true);
      // claude_local's { sessionId, cwd, promptBundleKey } params are held to the same bundle rule
      const local = { sessionId: ID, cwd: "/srv/work", promptBundleKey: "other", mcpServerIdentity: mcpA };
      expect(resumeWith({ sessionParams: local }, shipping).resume).toBe(false);
      expect(resumeWith({ sessionParams: local }, { ...shipping, promptBundleKey: "other" }).resume).toBe(
        true,
      );
    });

    it("checks nothing this run does not know (scope without the fields)", () => {
      expect(resumeWith({ sessionParams: made }, scope)).toEqual({ resume: true, sessionId: ID });
    });
  });

  it("never resumes into a home that does not outlive the run (a Kubernetes emptyDir)", () => {
    const decision = resumeWith({ sessionParams: stored }, { ...scope, persistentHome: false });
    expect(decision).toMatchObject({ resume: false, sessionId: null });
    if (!decision.resume) expect(decision.reason).toMatch(/does not outlive the run/);
  });
});
