import type { AdapterExecutionResult, RunScope } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { type Harvested, withHarvest } from "./harvest.js";
import { checkPodCwd, k8sSessionCodec, truthfulSession } from "./records.js";

const SID = "11111111-2222-4333-8444-555555555555";
const scope = (persistentHome: boolean): RunScope => ({
  cwd: "/workspace/workspaces/a",
  claudeHome: "/workspace/.claude",
  instructionsFilePath: undefined,
  persistentHome,
});
const ran: AdapterExecutionResult = {
  exitCode: 0,
  signal: null,
  timedOut: false,
  sessionId: SID,
  sessionDisplayId: SID,
  sessionParams: { sessionId: SID, cwd: "/workspace/workspaces/a", claudeHome: "/workspace/.claude" },
  usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 1 },
  costUsd: 0.5,
  resultJson: { status: "success" },
};

describe("session records", () => {
  it("store the pod cwd as podCwd, never as a cwd Paperclip would look for on its own disk", () => {
    const stored = k8sSessionCodec.serialize(truthfulSession(ran, scope(true)).sessionParams ?? null);
    expect(stored).toEqual({
      sessionId: SID,
      podCwd: "/workspace/workspaces/a",
      claudeHome: "/workspace/.claude",
    });
    expect(k8sSessionCodec.serialize({ sessionId: SID, cwd: "/x" })).toEqual({
      sessionId: SID,
      podCwd: "/x",
    });
    expect(k8sSessionCodec.deserialize(stored)).toEqual(stored);
  });

  it("resume is refused for a session made in another pod cwd", () => {
    const decision = { resume: true as const, sessionId: SID };
    expect(checkPodCwd(decision, { sessionId: SID, podCwd: "/workspace/workspaces/a/" }, scope(true))).toBe(
      decision,
    );
    expect(checkPodCwd(decision, { sessionId: SID, podCwd: "/elsewhere" }, scope(true))).toMatchObject({
      resume: false,
    });
  });

  it("an emptyDir run stores no session (the next run is not recorded as reusing one)", () => {
    const result = truthfulSession(ran, scope(false));
    expect(result).toMatchObject({
      sessionId: null,
      sessionParams: null,
      sessionDisplayId: null,
      clearSession: true,
    });
    expect(result.resultJson?.ephemeralSessionId).toBe(SID);
  });
});

describe("withHarvest", () => {
  const harvested: Harvested = {
    jobName: "claude-a-1",
    jobUid: "u1",
    runId: "run-0",
    sessionId: SID,
    result: { ...ran, usage: { inputTokens: 100, outputTokens: 50, cachedInputTokens: 10 }, costUsd: 2 },
  };

  it("adds the harvested usage and cost once and records where they came from", () => {
    const out = withHarvest(ran, harvested);
    expect(out.usage).toEqual({ inputTokens: 110, outputTokens: 55, cachedInputTokens: 11 });
    expect(out.costUsd).toBe(2.5);
    expect(out.resultJson?.harvested).toMatchObject({ job: "claude-a-1", runId: "run-0", costUsd: 2 });
    expect(withHarvest(ran, undefined)).toBe(ran);
  });

  it("a run that failed before the CLI still books the harvest and learns its session", () => {
    const out = withHarvest({ exitCode: null, signal: null, timedOut: false, errorCode: "x" }, harvested);
    expect(out).toMatchObject({ costUsd: 2, sessionId: SID, errorCode: "x" });
  });
});
