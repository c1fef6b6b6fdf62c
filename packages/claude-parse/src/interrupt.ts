import { Buffer } from "node:buffer";
import type { AssistantEvent, UserEvent } from "./events.js";
import { asRecord } from "./read.js";
import { type EventLine, eventHead } from "./stream-parser.js";

/**
 * What the CLI prints when a turn is interrupted (SIGINT, an interrupt request): the partial assistant message
 * carries `aborted: true` (2.1.3xx), a user message holds exactly `[Request interrupted by user]` (or
 * `… for tool use]`), and a result written for the turn has `terminal_reason: aborted_streaming | aborted_tools`.
 * Only main-thread frames count: a subagent stopped by its parent is not the run being interrupted.
 */
const INTERRUPT_TEXT_RE = /^\[Request interrupted by user(?: for tool use)?\]$/;
const INTERRUPT_NEEDLE = "[Request interrupted by user";
const INTERRUPT_NEEDLE_BYTES = Buffer.from(INTERRUPT_NEEDLE);

/** `terminal_reason` values of a result whose turn was interrupted. */
export const ABORTED_TERMINAL_REASONS: ReadonlySet<string> = new Set(["aborted_streaming", "aborted_tools"]);

/** How far into a user line the marker text may start (the CLI writes `type`, `message.role`, `content` first). */
const HEAD_BYTES = 512;

function mainThread(data: { parent_tool_use_id?: unknown }): boolean {
  return data.parent_tool_use_id === null || data.parent_tool_use_id === undefined;
}

export function isAbortedAssistant(data: AssistantEvent): boolean {
  return (data as { aborted?: unknown }).aborted === true && mainThread(data);
}

/** A main-thread, non-replayed user message whose only text is the CLI's interrupt marker. */
export function isInterruptUserMessage(data: UserEvent): boolean {
  if (!mainThread(data) || data.isReplay === true) return false;
  const content = data.message?.content;
  if (typeof content === "string") return INTERRUPT_TEXT_RE.test(content.trim());
  if (!Array.isArray(content)) return false;
  return content.some((block) => {
    const rec = asRecord(block);
    return rec?.type === "text" && typeof rec.text === "string" && INTERRUPT_TEXT_RE.test(rec.text.trim());
  });
}

/**
 * Cheap pre-check for a `user` line whose decoding the summary otherwise skips: could it be the interrupt
 * marker? Looks at the first bytes only (a tool result is megabytes; the marker message is a few hundred bytes
 * and starts with it). A false positive costs one decode; `isInterruptUserMessage` decides.
 */
export function mayBeInterruptLine(line: EventLine): boolean {
  const head = eventHead(line, HEAD_BYTES);
  return typeof head === "string" ? head.includes(INTERRUPT_NEEDLE) : head.includes(INTERRUPT_NEEDLE_BYTES);
}
