import { redactEnvForLogs, stringifyPaperclipWakePayload } from "@paperclipai/adapter-utils/server-utils";
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
        paperclipIssue: { workMode: "planning" },
        paperclipWake: { reason: "comment", issue: { id: "iss-9" } },
        paperclipWorkspace: { cwd: "/ws", source: "project", agentHome: "/home/agent" },
      },
    });
    expect(env).toMatchObject({
      PAPERCLIP_RUN_ID: "run-1",
      PAPERCLIP_AGENT_ID: "agent-1",
      PAPERCLIP_COMPANY_ID: "co-1",
      PAPERCLIP_API_URL: "http://paperclip:3100",
      PAPERCLIP_TASK_ID: "iss-9",
      PAPERCLIP_ISSUE_WORK_MODE: "planning",
      PAPERCLIP_WAKE_REASON: "comment",
      PAPERCLIP_WAKE_COMMENT_ID: "c-1",
      PAPERCLIP_APPROVAL_ID: "ap-1",
      PAPERCLIP_APPROVAL_STATUS: "approved",
      PAPERCLIP_LINKED_ISSUE_IDS: "a,b",
      PAPERCLIP_WORKSPACE_CWD: "/ws",
      PAPERCLIP_WORKSPACE_SOURCE: "project",
      AGENT_HOME: "/home/agent",
      PAPERCLIP_API_KEY: "jwt-abc",
    });
    // Paperclip's normalised payload, not the raw object.
    expect(JSON.parse(env.PAPERCLIP_WAKE_PAYLOAD_JSON as string)).toMatchObject({
      reason: "comment",
      issue: { id: "iss-9" },
      comments: [],
    });
  });

  it("prefers taskId over issueId and wakeCommentId over commentId, trimmed", () => {
    const env = buildRunEnv({
      ...base,
      context: { taskId: " t ", issueId: "i", wakeCommentId: "w", commentId: "c" },
    });
    expect(env.PAPERCLIP_TASK_ID).toBe("t");
    expect(env.PAPERCLIP_WAKE_COMMENT_ID).toBe("w");
  });

  it("uses Paperclip's default API URL when none is given", () => {
    const env = buildRunEnv({ runId: "run-1", agent: base.agent });
    expect(env.PAPERCLIP_API_URL).toMatch(/^https?:\/\//);
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

  it("keeps user PAPERCLIP_* keys the run does not set; configured non-PAPERCLIP keys win, as in claude_local", () => {
    const env = buildRunEnv({
      ...base,
      context: { paperclipWorkspace: { agentHome: "/ctx-home" } },
      userEnv: { PAPERCLIP_CUSTOM: "x", AGENT_HOME: "/cfg-home" },
    });
    expect(env.PAPERCLIP_CUSTOM).toBe("x");
    expect(env.AGENT_HOME).toBe("/cfg-home");
  });

  it("rejects unresolved values and bad names, naming the key", () => {
    expect(() => buildRunEnv({ ...base, userEnv: { SECRET: { type: "secret_ref", id: "s1" } } })).toThrow(
      /env\.SECRET/,
    );
    expect(() => buildRunEnv({ ...base, userEnv: { "BAD-NAME": "x" } })).toThrow(RunError);
    expect(() => buildRunEnv({ ...base, runId: "" })).toThrow(/runId/);
  });
});

describe("workspace elsewhere (workspaceCwd)", () => {
  const context = {
    paperclipWorkspace: { cwd: "/host/ws", source: "project", worktreePath: "/host/ws" },
    paperclipWorkspaces: [{ cwd: "/host/ws", projectId: "p-1" }, { cwd: "/host/other" }],
  };

  it("equal to Paperclip's path: the local env, host paths kept", () => {
    const env = buildRunEnv({ ...base, context, workspaceCwd: "/host/ws" });
    expect(env.PAPERCLIP_WORKSPACE_CWD).toBe("/host/ws");
    expect(env.PAPERCLIP_WORKSPACE_WORKTREE_PATH).toBe("/host/ws");
    expect(JSON.parse(env.PAPERCLIP_WORKSPACES_JSON as string)).toEqual(context.paperclipWorkspaces);
    expect(env).toEqual(buildRunEnv({ ...base, context }));
  });

  it("a different path: shaped like a remote target, no host path leaks", () => {
    const env = buildRunEnv({
      ...base,
      context,
      workspaceCwd: "/workspace",
      userEnv: { MY_WORKSPACE_CWD: "/host/ws", OTHER: "/host/ws" },
    });
    expect(env.PAPERCLIP_WORKSPACE_CWD).toBe("/workspace");
    expect(env.PAPERCLIP_WORKSPACE_WORKTREE_PATH).toBeUndefined();
    expect(JSON.parse(env.PAPERCLIP_WORKSPACES_JSON as string)).toEqual([
      { cwd: "/workspace", projectId: "p-1" },
      {},
    ]);
    expect(env.MY_WORKSPACE_CWD).toBe("/workspace");
    expect(env.OTHER).toBe("/host/ws");
    expect(
      Object.values(buildRunEnv({ ...base, context: { paperclipWorkspace: {} }, workspaceCwd: "/w" })),
    ).toContain("/w");
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
      "SESSION_COOKIE",
      "GOOGLE_APPLICATION_CREDENTIALS",
      "SSH_PRIVATE",
    ]) {
      expect(isSensitiveEnvKey(key), key).toBe(true);
    }
    for (const key of ["PATH", "HOME", "PAPERCLIP_RUN_ID", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"]) {
      expect(isSensitiveEnvKey(key), key).toBe(false);
    }
  });

  it("redacts only sensitive values", () => {
    expect(redactEnv({ ANTHROPIC_API_KEY: "sk-1", HOME: "/root" })).toEqual({
      ANTHROPIC_API_KEY: REDACTED,
      HOME: "/root",
    });
  });

  it("masks everything Paperclip's redactEnvForLogs masks, and more", () => {
    const env: Record<string, string> = {};
    for (const key of [
      "API_KEY",
      "X_TOKEN",
      "AUTHORIZATION",
      "COOKIE_JAR",
      "PASSWD",
      "AWS_SECRET_ACCESS_KEY",
      "DB_CREDENTIALS",
      "PRIVATE_PEM",
      "PLAIN",
      "PAPERCLIP_WAKE_REASON",
    ])
      env[key] = "v";
    const theirs = redactEnvForLogs(env);
    const ours = redactEnv(env);
    for (const key of Object.keys(env)) if (theirs[key] === REDACTED) expect(ours[key], key).toBe(REDACTED);
    expect(ours.DB_CREDENTIALS).toBe(REDACTED);
    expect(theirs.DB_CREDENTIALS).toBe("v");
    expect(ours.PLAIN).toBe("v");
  });
});

describe("wakePayloadJson", () => {
  const comment = (i: number, size: number) => ({
    id: `c-${i}`,
    body: "x".repeat(size),
    author: { type: "user" },
  });

  it("is Paperclip's normalised payload whenever it fits", () => {
    const wake = { reason: "issue_commented", issue: { id: "i" }, comments: [comment(1, 10)] };
    expect(wakePayloadJson(wake)).toBe(stringifyPaperclipWakePayload(wake));
    expect(wakePayloadJson(undefined)).toBeUndefined();
    expect(wakePayloadJson({ reason: "timer" })).toBeUndefined();
  });

  it("cuts long comment bodies, then drops comments, so the env var always fits", () => {
    const few = { reason: "r", comments: [comment(1, 200_000)] };
    const cut = JSON.parse(wakePayloadJson(few) as string);
    expect(cut.comments[0]).toMatchObject({ id: "c-1", bodyTruncated: true });
    expect(cut.comments[0].body).toHaveLength(2000);
    expect(cut.fallbackFetchNeeded).toBe(true);

    const described = { reason: "r", issue: { id: "i", description: "d".repeat(200_000) } };
    const issue = JSON.parse(wakePayloadJson(described) as string).issue;
    expect(issue).toMatchObject({ id: "i", descriptionTruncated: true });
    expect(issue.description).toHaveLength(2000);

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
