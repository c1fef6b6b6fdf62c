import { describe, expect, it } from "vitest";
import {
  buildRunEnv,
  isSensitiveEnvKey,
  MAX_WAKE_PAYLOAD_JSON,
  REDACTED,
  redactEnv,
  wakePayloadJson,
} from "./env.js";
import { RunError } from "./errors.js";

const base = {
  runId: "run-1",
  agent: { id: "agent-1", companyId: "co-1", name: "Ada" },
  apiUrl: "http://paperclip:3100",
};

describe("buildRunEnv", () => {
  it("exports run, task and wake context as PAPERCLIP_* variables", () => {
    const env = buildRunEnv({
      ...base,
      authToken: "jwt-abc",
      context: {
        issueId: "iss-9",
        wakeReason: "comment",
        commentId: "c-1",
        approvalId: "ap-1",
        approvalStatus: "approved",
        issueIds: ["a", "b"],
        paperclipWake: { reason: "comment" },
        paperclipWorkspace: { cwd: "/ws", source: "project", agentHome: "/home/agent" },
      },
    });
    expect(env).toMatchObject({
      PAPERCLIP_RUN_ID: "run-1",
      PAPERCLIP_AGENT_ID: "agent-1",
      PAPERCLIP_COMPANY_ID: "co-1",
      PAPERCLIP_API_URL: "http://paperclip:3100",
      PAPERCLIP_TASK_ID: "iss-9",
      PAPERCLIP_WAKE_REASON: "comment",
      PAPERCLIP_WAKE_COMMENT_ID: "c-1",
      PAPERCLIP_APPROVAL_ID: "ap-1",
      PAPERCLIP_APPROVAL_STATUS: "approved",
      PAPERCLIP_LINKED_ISSUE_IDS: "a,b",
      PAPERCLIP_WAKE_PAYLOAD_JSON: '{"reason":"comment"}',
      PAPERCLIP_WORKSPACE_CWD: "/ws",
      PAPERCLIP_WORKSPACE_SOURCE: "project",
      AGENT_HOME: "/home/agent",
      PAPERCLIP_API_KEY: "jwt-abc",
    });
  });

  it("prefers taskId over issueId and wakeCommentId over commentId", () => {
    const env = buildRunEnv({
      ...base,
      context: { taskId: "t", issueId: "i", wakeCommentId: "w", commentId: "c" },
    });
    expect(env.PAPERCLIP_TASK_ID).toBe("t");
    expect(env.PAPERCLIP_WAKE_COMMENT_ID).toBe("w");
  });

  it("merges user env but never lets it override run variables or supply the API key", () => {
    const env = buildRunEnv({
      ...base,
      userEnv: {
        FOO: "bar",
        PAPERCLIP_RUN_ID: "forged",
        PAPERCLIP_API_KEY: "forged",
        N: 3,
        B: false,
        S: { value: "s" },
      },
    });
    expect(env.FOO).toBe("bar");
    expect(env.N).toBe("3");
    expect(env.B).toBe("false");
    expect(env.S).toBe("s");
    expect(env.PAPERCLIP_RUN_ID).toBe("run-1");
    expect(env.PAPERCLIP_API_KEY).toBeUndefined();
  });

  it("keeps user PAPERCLIP_* keys the run does not set", () => {
    expect(buildRunEnv({ ...base, userEnv: { PAPERCLIP_CUSTOM: "x" } }).PAPERCLIP_CUSTOM).toBe("x");
  });

  it("rejects unresolved values and bad names, naming the key", () => {
    expect(() => buildRunEnv({ ...base, userEnv: { SECRET: { type: "secret_ref", id: "s1" } } })).toThrow(
      /env\.SECRET/,
    );
    expect(() => buildRunEnv({ ...base, userEnv: { "BAD-NAME": "x" } })).toThrow(RunError);
    expect(() => buildRunEnv({ ...base, runId: "" })).toThrow(/runId/);
  });
});

describe("sensitive env keys", () => {
  it("flags credentials by name and by pattern", () => {
    for (const key of [
      "ANTHROPIC_API_KEY",
      "CLAUDE_CODE_OAUTH_TOKEN",
      "PAPERCLIP_API_KEY",
      "DB_PASSWORD",
      "MY_SECRET",
    ]) {
      expect(isSensitiveEnvKey(key)).toBe(true);
    }
    for (const key of ["PATH", "HOME", "PAPERCLIP_RUN_ID", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"]) {
      expect(isSensitiveEnvKey(key)).toBe(false);
    }
  });

  it("redacts only sensitive values", () => {
    expect(redactEnv({ ANTHROPIC_API_KEY: "sk-1", HOME: "/root" })).toEqual({
      ANTHROPIC_API_KEY: REDACTED,
      HOME: "/root",
    });
  });
});

describe("wakePayloadJson", () => {
  const comment = (i: number, size: number) => ({
    id: `c-${i}`,
    body: "x".repeat(size),
    author: { type: "user" },
  });

  it("passes small payloads through unchanged", () => {
    const wake = { reason: "issue_commented", issue: { id: "i" }, comments: [comment(1, 10)] };
    expect(wakePayloadJson(wake)).toBe(JSON.stringify(wake));
    expect(wakePayloadJson(undefined)).toBeUndefined();
  });

  it("cuts long comment bodies, then drops comments, so the env var always fits", () => {
    const few = { reason: "r", comments: [comment(1, 200_000)] };
    const cut = JSON.parse(wakePayloadJson(few) as string);
    expect(cut.comments[0]).toMatchObject({ id: "c-1", bodyTruncated: true });
    expect(cut.comments[0].body).toHaveLength(2000);
    expect(cut.fallbackFetchNeeded).toBe(true);

    const many = {
      reason: "r",
      issue: { id: "i" },
      comments: Array.from({ length: 100 }, (_, i) => comment(i, 5000)),
    };
    const json = wakePayloadJson(many) as string;
    expect(json.length).toBeLessThanOrEqual(MAX_WAKE_PAYLOAD_JSON);
    const minimal = JSON.parse(json);
    expect(minimal).toMatchObject({
      reason: "r",
      issue: { id: "i" },
      comments: [],
      truncated: true,
      fallbackFetchNeeded: true,
    });
    expect(minimal.commentIds).toHaveLength(100);
  });

  it("is what buildRunEnv exports", () => {
    const wake = { reason: "r", comments: [comment(1, 200_000)] };
    const env = buildRunEnv({ ...base, context: { paperclipWake: wake } });
    expect(env.PAPERCLIP_WAKE_PAYLOAD_JSON).toBe(wakePayloadJson(wake));
  });
});
