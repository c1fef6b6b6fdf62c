/**
 * Prompt rendering compatible with Paperclip's templates: `{{ a.b }}` placeholders resolved against a
 * data object; a missing path renders as "" and objects render as JSON.
 */

/** Our default heartbeat prompt (same intent as Paperclip's default, worded independently). */
export const DEFAULT_PROMPT_TEMPLATE = [
  "You are Paperclip agent {{agent.name}} (id {{agent.id}}), resuming your assigned work.",
  "",
  "How to work this heartbeat:",
  "- Do real work now; only stop at a plan when the task explicitly asks for one.",
  "- Record progress where others can see it (issue comments, documents, work products) and leave a clear next step.",
  "- Before you finish, set the issue to an honest final state: done, in review with a real reviewer, blocked with who",
  "  unblocks it and how, or still in progress only if you can keep going.",
  "- Split parallel or long-running work into child issues rather than waiting on other agents or processes.",
  "- Stay within budget, approvals, pause/cancel requests and company boundaries.",
  "- Use the Paperclip API at $PAPERCLIP_API_URL with the bearer token in $PAPERCLIP_API_KEY.",
].join("\n");

/** Our default for chat turns (`context.conversationMode`), in place of the heartbeat prompt. */
export const DEFAULT_CONVERSATION_PROMPT_TEMPLATE = [
  "You are Paperclip agent {{agent.name}} (id {{agent.id}}), in a conversation with a person through Paperclip.",
  "",
  "- Answer the latest message directly and concisely; ask when something is unclear instead of guessing.",
  "- Do the work the person asks for in this turn when it is small; propose an issue for anything larger.",
  "- Stay within budget, approvals and company boundaries.",
  "- Use the Paperclip API at $PAPERCLIP_API_URL with the bearer token in $PAPERCLIP_API_KEY.",
].join("\n");

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z0-9_$.-]+)\s*\}\}/g;

/** Reads a dotted path; objects become JSON, missing values become "". */
export function resolvePath(data: unknown, path: string): string {
  let current: unknown = data;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return "";
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return "";
  if (typeof current === "object") return JSON.stringify(current);
  return String(current);
}

/** Replaces every `{{ path }}` in `template`. */
export function renderTemplate(template: string, data: unknown): string {
  return template.replace(PLACEHOLDER_RE, (_match, path: string) => resolvePath(data, path));
}

/** Trims each section, drops empty ones, joins with a blank line. */
export function joinPromptSections(
  sections: readonly (string | null | undefined)[],
  separator = "\n\n",
): string {
  return sections
    .map((s) => (typeof s === "string" ? s.trim() : ""))
    .filter((s) => s !== "")
    .join(separator);
}

function rec(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function count(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * Renders Paperclip's structured wake payload (`context.paperclipWake`: reason, issue, the comments that
 * woke the agent) as a prompt section. A resumed session gets it as a delta to act on. Returns "" when the
 * payload names neither an issue nor comments.
 */
export function renderWakeSection(
  wake: unknown,
  options: { resumedSession?: boolean | undefined } = {},
): string {
  const payload = rec(wake);
  const issue = rec(payload.issue);
  const comments = (Array.isArray(payload.comments) ? payload.comments : [])
    .map(rec)
    .filter((c) => text(c.body) !== undefined);
  const commentIds = Array.isArray(payload.commentIds) ? payload.commentIds.filter((id) => text(id)) : [];
  const issueName = text(issue.identifier) ?? text(issue.id);
  if (
    issueName === undefined &&
    text(issue.title) === undefined &&
    comments.length === 0 &&
    commentIds.length === 0
  ) {
    return "";
  }
  const window = rec(payload.commentWindow);
  const requested = count(window.requestedCount, comments.length || commentIds.length);
  const included = count(window.includedCount, comments.length);
  const omitted = count(window.missingCount, 0);
  const lines = options.resumedSession
    ? [
        "## What changed since your last heartbeat",
        "",
        "You are continuing an existing session. Handle this wake first and stay on the issue below until you have.",
      ]
    : [
        "## Why you were woken",
        "",
        "This wake is the most important input of this heartbeat. Stay on the issue below until you have handled it;",
        "start by responding to the newest comment and say how it changes your next step.",
      ];
  lines.push("", `- reason: ${text(payload.reason) ?? "unknown"}`);
  lines.push(`- issue: ${[issueName ?? "unknown", text(issue.title)].filter(Boolean).join(" ")}`);
  if (text(issue.status)) lines.push(`- issue status: ${text(issue.status)}`);
  if (text(issue.priority)) lines.push(`- issue priority: ${text(issue.priority)}`);
  lines.push(`- comments in this wake: ${included} of ${requested}`);
  if (omitted > 0) lines.push(`- comments left out: ${omitted}`);
  if (text(payload.latestCommentId)) lines.push(`- newest comment id: ${text(payload.latestCommentId)}`);
  if (payload.fallbackFetchNeeded === true || payload.truncated === true) {
    lines.push("- not everything fits here: read the issue thread from the Paperclip API before acting");
  }
  comments.forEach((c, i) => {
    const author = rec(c.author);
    const by = [text(author.type), text(author.id)].filter(Boolean).join(" ") || "unknown author";
    const meta = [
      text(c.id) ? `comment ${text(c.id)}` : "comment",
      text(c.createdAt) ? `at ${text(c.createdAt)}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    lines.push("", `${i + 1}. ${meta} by ${by}:`, String(c.body).trim());
    if (c.bodyTruncated === true) lines.push("(comment shortened)");
  });
  return lines.join("\n");
}

export interface RenderPromptInput {
  runId: string;
  agent: { id: string; companyId: string; name?: string | null | undefined } & Record<string, unknown>;
  context?: Record<string, unknown> | null | undefined;
  /** `config.promptTemplate`; default `DEFAULT_PROMPT_TEMPLATE` (`DEFAULT_CONVERSATION_PROMPT_TEMPLATE` in conversation mode). */
  promptTemplate?: string | null | undefined;
  /** `config.bootstrapPromptTemplate`; only used for fresh sessions. */
  bootstrapPromptTemplate?: string | null | undefined;
  /** True when the run resumes a stored session. */
  resumedSession?: boolean | undefined;
  /** Wake section to use instead of `renderWakeSection(context.paperclipWake)`. */
  wakePrompt?: string | null | undefined;
  /**
   * Omit the main template. Default: when resuming a session with a wake section (the session already
   * has the heartbeat instructions; the wake is the delta), as Paperclip does.
   */
  omitMainTemplate?: boolean | undefined;
}

/** The data object templates see: `{agentId, companyId, runId, company, agent, run, context}`. */
export function promptTemplateData(input: RenderPromptInput): Record<string, unknown> {
  return {
    agentId: input.agent.id,
    companyId: input.agent.companyId,
    runId: input.runId,
    company: { id: input.agent.companyId },
    agent: input.agent,
    run: { id: input.runId, source: "on_demand" },
    context: input.context ?? {},
  };
}

function contextString(context: Record<string, unknown> | null | undefined, key: string): string | undefined {
  const value = context?.[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * Renders the stdin prompt in Paperclip's section order: bootstrap (fresh sessions only), wake,
 * session handoff, task brief, main template (left out when a resumed session gets a wake delta).
 */
export function renderPrompt(input: RenderPromptInput): string {
  const data = promptTemplateData(input);
  const bootstrap =
    !input.resumedSession && input.bootstrapPromptTemplate
      ? renderTemplate(input.bootstrapPromptTemplate, data)
      : undefined;
  const wake =
    input.wakePrompt ??
    renderWakeSection(input.context?.paperclipWake, { resumedSession: input.resumedSession });
  const omitMain = input.omitMainTemplate ?? (input.resumedSession === true && wake.trim() !== "");
  const fallback = input.context?.conversationMode
    ? DEFAULT_CONVERSATION_PROMPT_TEMPLATE
    : DEFAULT_PROMPT_TEMPLATE;
  const main = omitMain ? undefined : renderTemplate(input.promptTemplate || fallback, data);
  return joinPromptSections([
    bootstrap,
    wake,
    contextString(input.context, "paperclipSessionHandoffMarkdown"),
    contextString(input.context, "paperclipTaskMarkdown"),
    main,
  ]);
}
