/**
 * Rendering of a planned message as a Messages API SSE stream or as a non-streaming JSON body. Pure.
 */
import type { PlannedBlock, ReplyPlan } from "./scenarios.js";

export type MessagePlan = Extract<ReplyPlan, { kind: "message" }>;

/** One SSE frame and how long to wait before sending it. */
export interface SseFrame {
  readonly event: string;
  readonly data: Record<string, unknown>;
  readonly delayMs: number;
}

/** Wire form of one frame. */
export function encodeFrame(frame: Pick<SseFrame, "event" | "data">): string {
  return `event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;
}

function frame(event: string, data: Record<string, unknown>, delayMs = 0): SseFrame {
  return { event, data: { type: event, ...data }, delayMs };
}

/** Split `text` into `count` nearly equal, non-empty pieces (fewer when the text is shorter). */
export function splitText(text: string, count: number): string[] {
  const chars = Array.from(text);
  const n = Math.max(1, Math.min(count, chars.length));
  const size = Math.ceil(chars.length / n);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces.length > 0 ? pieces : [""];
}

function usage(plan: MessagePlan, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: plan.usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: "standard",
  };
}

function emptyBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case "text":
      return { type: "text", text: "" };
    case "thinking":
      return { type: "thinking", thinking: "", signature: "" };
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: {} };
  }
}

function deltas(block: PlannedBlock): Array<{ delta: Record<string, unknown>; delayMs: number }> {
  switch (block.type) {
    case "text": {
      const pacing = block.pacing ?? { chunks: 2, intervalMs: 0 };
      return splitText(block.text, pacing.chunks).map((text) => ({
        delta: { type: "text_delta", text },
        delayMs: pacing.intervalMs,
      }));
    }
    case "thinking":
      return [
        ...splitText(block.thinking, 2).map((thinking) => ({
          delta: { type: "thinking_delta", thinking },
          delayMs: 0,
        })),
        { delta: { type: "signature_delta", signature: block.signature }, delayMs: 0 },
      ];
    case "tool_use": {
      // Like the real API: an empty first chunk, then the JSON in pieces that are not JSON on their own.
      const pieces = ["", ...splitText(JSON.stringify(block.input), 3)];
      return pieces.map((partial_json) => ({
        delta: { type: "input_json_delta", partial_json },
        delayMs: 0,
      }));
    }
  }
}

/** The complete SSE frame sequence for a planned message. */
export function messageFrames(plan: MessagePlan): SseFrame[] {
  const frames: SseFrame[] = [
    frame("message_start", {
      message: {
        id: plan.id,
        type: "message",
        role: "assistant",
        model: plan.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usage(plan, 1),
      },
    }),
    frame("ping", {}),
  ];
  plan.blocks.forEach((block, index) => {
    frames.push(frame("content_block_start", { index, content_block: emptyBlock(block) }));
    for (const { delta, delayMs } of deltas(block)) {
      frames.push(frame("content_block_delta", { index, delta }, delayMs));
    }
    frames.push(frame("content_block_stop", { index }));
  });
  frames.push(
    frame("message_delta", {
      delta: { stop_reason: plan.stopReason, stop_sequence: null },
      usage: usage(plan, plan.usage.outputTokens),
    }),
    frame("message_stop", {}),
  );
  return frames;
}

function fullBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "thinking":
      return { type: "thinking", thinking: block.thinking, signature: block.signature };
    case "tool_use":
      return { type: "tool_use", id: block.id, name: block.name, input: block.input };
  }
}

/** Non-streaming response body. */
export function messageJson(plan: MessagePlan): Record<string, unknown> {
  return {
    id: plan.id,
    type: "message",
    role: "assistant",
    model: plan.model,
    content: plan.blocks.map(fullBlock),
    stop_reason: plan.stopReason,
    stop_sequence: null,
    usage: usage(plan, plan.usage.outputTokens),
  };
}

/** Total time the stream of `plan` takes to send, from its pacing. */
export function streamDurationMs(plan: MessagePlan): number {
  return messageFrames(plan).reduce((sum, f) => sum + f.delayMs, 0);
}
