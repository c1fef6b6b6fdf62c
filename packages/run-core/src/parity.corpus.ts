/**
 * The wake contexts `parity.test.ts` feeds to both run-core and claude_local's own `execute()`. Shapes follow
 * Paperclip's wake context keys (see the adapter-contract notes §3.4) and its structured `paperclipWake` payload
 * as `@paperclipai/adapter-utils` normalises it. Test data only: not exported from the package.
 */

export interface WakeCase {
  name: string;
  context: Record<string, unknown>;
  /** The adapter config keys both sides read for prompt and env. */
  config?: { promptTemplate?: string; bootstrapPromptTemplate?: string; env?: Record<string, string> };
  /** Resume a stored session (claude_local must really pass `--resume`; the test checks it). */
  resumed?: boolean;
  /** `ctx.authToken`; default a run JWT, `null` for none. */
  authToken?: string | null;
}

const issue = {
  id: "iss-1",
  identifier: "ACME-7",
  title: "Fix login",
  description: "Users on SSO cannot log in.\n\nSteps: open /login, pick SSO.",
  status: "in_progress",
  priority: "high",
};

const comments = [
  {
    id: "c-1",
    issueId: "iss-1",
    body: "Please also cover SSO.",
    createdAt: "2026-11-24T03:00:00Z",
    author: { type: "user", id: "u-9" },
  },
  { id: "c-2", body: "  And add a test.  ", bodyTruncated: true, author: { type: "agent", id: "ag-2" } },
  { id: "c-3", body: "   " },
];

const commented = {
  reason: "issue_commented",
  issue,
  latestCommentId: "c-2",
  commentIds: ["c-1", "c-2", "c-3"],
  commentWindow: { requestedCount: 3, includedCount: 2, missingCount: 1 },
  fallbackFetchNeeded: true,
  comments,
};

const taskMarkdown =
  "## Task ACME-7: Fix login\n\nUsers on SSO cannot log in.\n\nAcceptance: SSO login works.";
const taskMarkdownCompact = "## Task ACME-7: Fix login (brief already given)";

/** `root` is a scratch directory: workspace paths live under it (claude_local creates a missing cwd). */
export function wakeCorpus(root: string): WakeCase[] {
  const ws = `${root}/ws`;
  const workspace = { cwd: ws, source: "project", strategy: "project_primary", workspaceId: "w-1" };
  return [
    { name: "fresh timer heartbeat, empty context", context: {} },
    {
      name: "fresh timer wake with reason only",
      context: { wakeReason: "timer", paperclipWake: { reason: "timer" }, paperclipWorkspace: workspace },
    },
    {
      name: "fresh task wake from ids (no payload)",
      context: {
        taskId: " t-1 ",
        issueId: "iss-1",
        wakeReason: "issue_assigned",
        paperclipWorkspace: workspace,
      },
    },
    {
      name: "fresh assignment wake with issue payload and task brief",
      context: {
        issueId: "iss-1",
        wakeReason: "issue_assigned",
        paperclipWake: { reason: "issue_assigned", issue },
        paperclipTaskMarkdown: taskMarkdown,
        paperclipTaskMarkdownCompact: taskMarkdownCompact,
        paperclipWorkspace: workspace,
      },
    },
    {
      name: "resumed assignment wake keeps the full brief",
      resumed: true,
      context: {
        issueId: "iss-1",
        wakeReason: "issue_assigned",
        paperclipWake: { reason: "issue_assigned", issue },
        paperclipTaskMarkdown: taskMarkdown,
        paperclipTaskMarkdownCompact: taskMarkdownCompact,
        paperclipWorkspace: workspace,
      },
    },
    {
      name: "fresh issue without description, no task brief",
      context: {
        issueId: "iss-1",
        paperclipWake: { reason: "issue_assigned", issue: { ...issue, description: "" } },
      },
    },
    {
      name: "fresh comment wake with comment window",
      context: {
        issueId: "iss-1",
        wakeReason: "issue_commented",
        wakeCommentId: "c-2",
        commentId: "c-1",
        paperclipWake: commented,
        paperclipWorkspace: workspace,
      },
    },
    {
      name: "resumed comment wake: wake delta, compact brief, no heartbeat template",
      resumed: true,
      context: {
        issueId: "iss-1",
        wakeReason: "issue_commented",
        commentId: "c-2",
        paperclipWake: commented,
        paperclipTaskMarkdown: taskMarkdown,
        paperclipTaskMarkdownCompact: taskMarkdownCompact,
        paperclipWorkspace: workspace,
      },
    },
    {
      name: "comment wake with ids only (comments left out)",
      context: {
        issueId: "iss-1",
        paperclipWake: {
          reason: "issue_commented",
          issue: { id: "iss-1", title: "Fix login" },
          commentIds: ["c-7", " c-8 "],
          truncated: true,
          fallbackFetchNeeded: true,
        },
      },
    },
    {
      name: "comment wake with markdown, unicode and control characters",
      context: {
        paperclipWake: {
          reason: "issue_commented",
          issue: { identifier: "ACME-9", title: "Ünïcödé ✓" },
          comments: [
            { id: "c-9", body: "```ts\nconst a = `x`;\n```\n— done? ✅\u0007", author: { type: "user" } },
          ],
        },
      },
    },
    {
      name: "resumed session without a wake payload gets the heartbeat template",
      resumed: true,
      context: { taskId: "t-1", wakeReason: "timer", paperclipWorkspace: workspace },
    },
    { name: "conversation turn, no payload", context: { conversationMode: true } },
    {
      name: "conversation turn with a chat message",
      context: {
        conversationMode: true,
        wakeReason: "agent_message",
        paperclipWake: {
          reason: "agent_message",
          agentMessage: { text: "Can you summarise ACME-7?", source: "chat" },
        },
      },
    },
    {
      name: "resumed conversation turn",
      resumed: true,
      context: {
        conversationMode: true,
        paperclipWake: {
          reason: "agent_message",
          agentMessage: { text: "Thanks! One more thing…", source: "chat" },
        },
      },
    },
    {
      name: "recovery wake (fresh): no heartbeat template",
      context: {
        issueId: "iss-1",
        paperclipWake: {
          reason: "issue_recovery_action_restored",
          issue,
          recovery: {
            cause: "run_failed",
            failureSummary: "Claude exited with code 1",
            originalAssignee: { id: "ag-0", name: "Bob" },
            attemptCount: 1,
            maxAttempts: 3,
            nextAction: "retry the last step",
          },
        },
        paperclipTaskMarkdown: taskMarkdown,
      },
    },
    {
      name: "source-scoped recovery action (resumed)",
      resumed: true,
      context: {
        paperclipWake: { reason: "source_scoped_recovery_action", issue },
        paperclipTaskMarkdown: taskMarkdown,
        paperclipTaskMarkdownCompact: taskMarkdownCompact,
      },
    },
    {
      name: "session handoff and task brief on a fresh session",
      context: {
        paperclipSessionHandoffMarkdown: "  ## Handoff\nPrevious session compacted; continue from step 3.  ",
        paperclipTaskMarkdown: taskMarkdown,
      },
    },
    {
      name: "bootstrap template on a fresh session",
      config: {
        bootstrapPromptTemplate: "Bootstrap for {{agent.name}} in run {{run.id}} ({{context.wakeReason}})",
      },
      context: { wakeReason: "issue_assigned", paperclipWake: { reason: "issue_assigned", issue } },
    },
    {
      name: "bootstrap template dropped on a resumed session",
      resumed: true,
      config: { bootstrapPromptTemplate: "Bootstrap {{agent.id}}" },
      context: { wakeReason: "timer" },
    },
    {
      name: "custom prompt template with object and missing paths",
      config: {
        promptTemplate:
          "Agent {{ agent.name }} of {{company.id}} run {{runId}} source {{run.source}} wake {{context.paperclipWake}} none={{context.nope.deeper}}",
      },
      context: { paperclipWake: { reason: "issue_assigned", issue: { id: "iss-2", title: "T" } } },
    },
    {
      name: "structured payload: execution stage, continuation, children, blockers, tree hold",
      context: {
        issueId: "iss-1",
        paperclipWake: {
          reason: "issue_children_completed",
          issue,
          executionStage: {
            wakeRole: "Reviewer",
            stageId: "s-1",
            stageType: "review",
            allowedActions: ["approve", " request_changes "],
            reviewRequest: { instructions: "Check the SSO flow." },
          },
          continuationSummary: { key: "k", title: "Where I stopped", body: "Step 3 of 5 done." },
          childIssueSummaries: [
            { id: "iss-3", identifier: "ACME-8", title: "Child", status: "done", summary: "ok" },
          ],
          unresolvedBlockerIssueIds: ["iss-4"],
          unresolvedBlockerSummaries: [
            { id: "iss-4", identifier: "ACME-10", title: "Blocker", status: "todo" },
          ],
          activeTreeHold: { holdId: "h-1", rootIssueId: "iss-0", mode: "pause", reason: "budget" },
          livenessContinuation: {
            attempt: 2,
            maxAttempts: 3,
            state: "stalled",
            instruction: "Pick a disposition.",
          },
          executionWorkspace: { branchName: "acme-7-fix-login" },
        },
        paperclipTaskMarkdown: taskMarkdown,
      },
    },
    {
      name: "connector skill instructions in the wake",
      context: {
        paperclipWake: {
          reason: "issue_assigned",
          issue,
          connectorSkillInstructions: "Use the GitHub connector for PRs.",
        },
      },
    },
    {
      name: "issue work mode from paperclipIssue, approvals, linked issues",
      context: {
        paperclipIssue: { workMode: "planning" },
        approvalId: " ap-1 ",
        approvalStatus: "approved",
        issueIds: ["a", " ", "b", 3],
        wakeReason: "approval_resolved",
        paperclipWake: { reason: "approval_resolved", issue: { ...issue, workMode: "standard" } },
      },
    },
    {
      name: "issue work mode from the wake issue",
      context: { paperclipWake: { reason: "issue_assigned", issue: { ...issue, workMode: "skill_test" } } },
    },
    {
      name: "full workspace, hints and runtime services",
      context: {
        paperclipWorkspace: {
          cwd: `${root}/ws-full`,
          source: "project",
          strategy: "git_worktree",
          workspaceId: "w-2",
          repoUrl: "https://git.example/acme.git",
          repoRef: "main",
          branchName: "acme-7",
          worktreePath: `${root}/ws-full`,
          agentHome: `${root}/agent-home`,
        },
        paperclipWorkspaces: [{ cwd: `${root}/ws-full`, projectId: "p-1" }, "junk", { cwd: `${root}/other` }],
        paperclipRuntimeServiceIntents: [{ name: "web", command: "pnpm dev" }],
        paperclipRuntimeServices: [{ name: "web", url: "http://127.0.0.1:5173" }, null],
        paperclipRuntimePrimaryUrl: "http://127.0.0.1:5173",
      },
    },
    {
      name: "config env: forged run variables, custom PAPERCLIP_*, AGENT_HOME override, secrets",
      config: {
        env: {
          FOO: "bar",
          PAPERCLIP_API_KEY: "forged-key",
          PAPERCLIP_RUN_ID: "forged-run",
          PAPERCLIP_CUSTOM: "kept",
          AGENT_HOME: "/from/config",
          GITHUB_TOKEN: "ghp_secret",
          MY_WORKSPACE_CWD: `${root}/ws`,
        },
      },
      context: { paperclipWorkspace: { ...workspace, agentHome: `${root}/agent-home` }, issueId: "iss-1" },
    },
    { name: "no auth token", authToken: null, context: { issueId: "iss-1" } },
    { name: "empty prompt template falls back to the default", config: { promptTemplate: "" }, context: {} },
  ];
}
