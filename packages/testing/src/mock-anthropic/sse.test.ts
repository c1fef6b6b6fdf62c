import { describe, expect, it } from "vitest";
import { type MessagePlan, messageFrames, messageJson, splitText, streamDurationMs } from "./sse.js";

const plan: MessagePlan = {
  kind: "message",
  id: "msg_test",
  model: "claude-test",
  stopReason: "tool_use",
  usage: { inputTokens: 10, outputTokens: 5 },
  blocks: [
    { type: "thinking", thinking: "hmm, let me see", signature: "sig" },
    { type: "text", text: "héllo wörld 🎉", pacing: { chunks: 4, intervalMs: 100 } },
    { type: "tool_use", id: "toolu_x", name: "Bash", input: { command: "echo hello" } },
  ],
};

describe("messageFrames", () => {
  const frames = messageFrames(plan);
  const types = frames.map((f) => f.event);

  it("follows the Messages API event grammar", () => {
    expect(types[0]).toBe("message_start");
    expect(types[1]).toBe("ping");
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(types.filter((t) => t === "content_block_start")).toHaveLength(3);
    expect(types.filter((t) => t === "content_block_stop")).toHaveLength(3);
    for (const f of frames) expect(f.data.type).toBe(f.event);
  });

  it("reassembles every block from its deltas", () => {
    const byIndex = new Map<number, string[]>();
    for (const f of frames.filter((x) => x.event === "content_block_delta")) {
      const delta = f.data.delta as Record<string, string>;
      const text = delta.text ?? delta.thinking ?? delta.partial_json ?? "";
      byIndex.set(f.data.index as number, [...(byIndex.get(f.data.index as number) ?? []), text]);
    }
    expect(byIndex.get(0)?.join("")).toBe("hmm, let me see");
    expect(byIndex.get(1)?.join("")).toBe("héllo wörld 🎉");
    expect(JSON.parse(byIndex.get(2)?.join("") ?? "")).toEqual({ command: "echo hello" });
    const jsonDeltas = frames.filter((x) => (x.data.delta as { type?: string })?.type === "input_json_delta");
    expect(jsonDeltas[0]?.data.delta).toEqual({ type: "input_json_delta", partial_json: "" });
    expect(frames.some((x) => (x.data.delta as { type?: string })?.type === "signature_delta")).toBe(true);
  });

  it("carries stop reason and usage on message_delta, and paces as planned", () => {
    const delta = frames.at(-2)?.data as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    expect(delta.delta.stop_reason).toBe("tool_use");
    expect(delta.usage.output_tokens).toBe(5);
    expect(streamDurationMs(plan)).toBe(400);
  });

  it("renders the same content as non-streaming JSON", () => {
    expect(messageJson(plan)).toMatchObject({
      id: "msg_test",
      stop_reason: "tool_use",
      content: [
        { type: "thinking" },
        { type: "text", text: "héllo wörld 🎉" },
        { type: "tool_use", id: "toolu_x" },
      ],
    });
  });
});

describe("splitText", () => {
  it("never splits inside a code point and never loses text", () => {
    for (const n of [1, 2, 3, 50]) expect(splitText("a🎉b€", n).join("")).toBe("a🎉b€");
    expect(splitText("a🎉b€", 50)).toHaveLength(4);
    expect(splitText("", 3)).toEqual([""]);
  });
});
