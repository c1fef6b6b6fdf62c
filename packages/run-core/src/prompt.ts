/**
 * The stdin prompt of a run, composed exactly as Paperclip's `claude_local` composes it, from the
 * prompt helpers of `@paperclipai/adapter-utils/server-utils` (a peer dependency: the server's own copy
 * renders the templates, the wake payload and the task brief). `parity.test.ts` feeds one corpus of
 * wake contexts to this function and to claude_local's `execute()` and asserts equal prompts.
 */
import {
  DEFAULT_PAPERCLIP_AGENT_PROMPT_TEMPLATE,
  DEFAULT_PAPERCLIP_CONVERSATION_PROMPT_TEMPLATE,
  isPaperclipRecoveryWakePayload,
  joinPromptSections,
  renderPaperclipWakePrompt,
  renderTemplate,
  selectPaperclipTaskMarkdown,
} from "@paperclipai/adapter-utils/server-utils";

/** Paperclip's default heartbeat prompt (`DEFAULT_PAPERCLIP_AGENT_PROMPT_TEMPLATE`). */
export const DEFAULT_PROMPT_TEMPLATE: string = DEFAULT_PAPERCLIP_AGENT_PROMPT_TEMPLATE;
/** Paperclip's default for chat turns (`context.conversationMode === true`). */
export const DEFAULT_CONVERSATION_PROMPT_TEMPLATE: string = DEFAULT_PAPERCLIP_CONVERSATION_PROMPT_TEMPLATE;

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
  /** Wake section to use instead of Paperclip's rendering of `context.paperclipWake`. */
  wakePrompt?: string | null | undefined;
  /**
   * Omit the main template. Default, as in claude_local: when resuming a session with a wake section (the
   * session already has the heartbeat instructions; the wake is the delta), and on a recovery wake.
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

/** A non-empty string, else `fallback` (server-utils' `asString`). */
function nonEmpty(value: unknown, fallback: string): string {
  return typeof value === "string" && value.length > 0 ? value : fallback;
}

/**
 * Renders the stdin prompt in Paperclip's section order: bootstrap (fresh sessions only), wake,
 * session handoff, task brief, main template (left out when a resumed session gets a wake delta, and on a
 * recovery wake).
 */
export function renderPrompt(input: RenderPromptInput): string {
  const context = input.context ?? {};
  const resumedSession = input.resumedSession === true;
  const data = promptTemplateData(input);
  const conversationMode = context.conversationMode === true;
  const template = nonEmpty(
    input.promptTemplate,
    conversationMode ? DEFAULT_CONVERSATION_PROMPT_TEMPLATE : DEFAULT_PROMPT_TEMPLATE,
  );
  const bootstrapTemplate = nonEmpty(input.bootstrapPromptTemplate, "");
  const bootstrap =
    !resumedSession && bootstrapTemplate.trim() !== "" ? renderTemplate(bootstrapTemplate, data).trim() : "";
  const task = selectPaperclipTaskMarkdown(context, { resumedSession });
  const wake =
    input.wakePrompt ??
    renderPaperclipWakePrompt(context.paperclipWake, {
      resumedSession,
      conversationMode,
      // The task brief already carries the issue description; the wake section leaves its copy out.
      suppressIssueDescription: task.length > 0,
    });
  const omitMain =
    input.omitMainTemplate ??
    ((resumedSession && wake.length > 0) || isPaperclipRecoveryWakePayload(context.paperclipWake));
  const main = omitMain ? "" : renderTemplate(template, data);
  const handoff = nonEmpty(context.paperclipSessionHandoffMarkdown, "").trim();
  return joinPromptSections([bootstrap, wake, handoff, task, main]);
}
