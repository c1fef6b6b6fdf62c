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

export interface RenderPromptInput {
  runId: string;
  agent: { id: string; companyId: string; name?: string | null | undefined } & Record<string, unknown>;
  context?: Record<string, unknown> | null | undefined;
  /** `config.promptTemplate`; default `DEFAULT_PROMPT_TEMPLATE`. */
  promptTemplate?: string | null | undefined;
  /** `config.bootstrapPromptTemplate`; only used for fresh sessions. */
  bootstrapPromptTemplate?: string | null | undefined;
  /** True when the run resumes a stored session. */
  resumedSession?: boolean | undefined;
  /** Wake section already rendered by the host (e.g. Paperclip's `renderPaperclipWakePrompt`). */
  wakePrompt?: string | null | undefined;
  /** Omit the main template (Paperclip does so when resuming with a wake delta or on a recovery wake). */
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
 * session handoff, task brief, main template.
 */
export function renderPrompt(input: RenderPromptInput): string {
  const data = promptTemplateData(input);
  const bootstrap =
    !input.resumedSession && input.bootstrapPromptTemplate
      ? renderTemplate(input.bootstrapPromptTemplate, data)
      : undefined;
  const main = input.omitMainTemplate
    ? undefined
    : renderTemplate(input.promptTemplate || DEFAULT_PROMPT_TEMPLATE, data);
  return joinPromptSections([
    bootstrap,
    input.wakePrompt,
    contextString(input.context, "paperclipSessionHandoffMarkdown"),
    contextString(input.context, "paperclipTaskMarkdown"),
    main,
  ]);
}
