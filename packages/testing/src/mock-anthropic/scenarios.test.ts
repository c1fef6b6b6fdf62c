import { describe, expect, it } from "vitest";
import {
  type MessagesRequest,
  parseMarker,
  planReply,
  promptText,
  scenarioMarker,
  selectScenario,
} from "./scenarios.js";

const TOOLS = [{ name: "Bash", input_schema: { type: "object" } }];
const now = new Date("2030-01-01T00:00:00Z");

function request(prompt: string, extra: Partial<MessagesRequest> = {}): MessagesRequest {
  return { model: "claude-test", tools: TOOLS, messages: [{ role: "user", content: prompt }], ...extra };
}

describe("markers", () => {
  it("round-trips scenario markers, with and without an argument", () => {
    expect(parseMarker(`do it ${scenarioMarker("slow", 5)} now`)).toEqual({ name: "slow", arg: 5 });
    expect(parseMarker(scenarioMarker("max-turns"))).toEqual({ name: "max-turns" });
    expect(parseMarker("[[mock:no-such-scenario]]")).toBeUndefined();
  });

  it("selects from any user text block, else the fallback", () => {
    const body: MessagesRequest = {
      messages: [
        { role: "user", content: [{ type: "text", text: "<system-reminder>x</system-reminder>" }] },
        { role: "user", content: [{ type: "text", text: "hi [[mock:thinking]]" }] },
      ],
    };
    expect(selectScenario(body, { name: "success" })).toEqual({ name: "thinking" });
    expect(selectScenario(request("plain"), { name: "echo" })).toEqual({ name: "echo" });
    expect(selectScenario({ messages: "garbage" }, { name: "success" })).toEqual({ name: "success" });
  });

  it("reads the prompt without CLI-injected reminders", () => {
    const body: MessagesRequest = {
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "<system-reminder>ctx</system-reminder>" },
            { type: "text", text: "hello" },
          ],
        },
      ],
    };
    expect(promptText(body)).toBe("hello");
  });
});

describe("planReply", () => {
  it("success-tools: tool_use first, final text once a tool_result came back", () => {
    const first = planReply(request("x"), { name: "success-tools" }, { now });
    expect(first.kind === "message" && first.stopReason).toBe("tool_use");
    expect(first.kind === "message" && first.blocks.map((b) => b.type)).toEqual(["text", "tool_use"]);
    const second = planReply(
      request("x", {
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Bash", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "hello" }] },
        ],
      }),
      { name: "success-tools" },
      { now },
    );
    expect(second.kind === "message" && second.stopReason).toBe("end_turn");
    expect(second.kind === "message" && first.kind === "message" && first.id !== second.id).toBe(true);
  });

  it("answers side requests (no tools) with plain text even in tool scenarios", () => {
    const plan = planReply(request("x", { tools: [] }), { name: "max-turns" }, { now });
    expect(plan.kind === "message" && plan.blocks.map((b) => b.type)).toEqual(["text"]);
  });

  it("maps error scenarios to Anthropic error statuses and types", () => {
    const cases = [
      ["auth-401", 401, "authentication_error"],
      ["rate-limit-429", 429, "rate_limit_error"],
      ["overloaded-529", 529, "overloaded_error"],
      ["credit-balance", 400, "invalid_request_error"],
    ] as const;
    for (const [name, status, errorType] of cases) {
      const plan = planReply(request("x"), { name }, { now });
      expect(plan).toMatchObject({ kind: "error", status, errorType });
    }
    const rl = planReply(request("x"), { name: "rate-limit-429", arg: 7 }, { now });
    expect(rl.kind === "error" && rl.headers).toMatchObject({
      "retry-after": "7",
      "anthropic-ratelimit-requests-reset": "2030-01-01T00:00:07.000Z",
    });
  });

  it("thinking carries a signature; echo reports the prompt length; slow paces its second block", () => {
    const thinking = planReply(request("x"), { name: "thinking" }, { now });
    expect(thinking.kind === "message" && thinking.blocks[0]).toMatchObject({ type: "thinking" });
    const echo = planReply(request("12345"), { name: "echo" }, { now });
    expect(echo.kind === "message" && echo.blocks[0]).toMatchObject({ text: expect.stringContaining(" 5 ") });
    const slow = planReply(request("x"), { name: "slow", arg: 3 }, { now });
    expect(slow.kind === "message" && slow.blocks[1]).toMatchObject({
      pacing: { chunks: 6, intervalMs: 500 },
    });
  });

  it("is deterministic for identical requests", () => {
    expect(planReply(request("x"), { name: "success-tools" }, { now })).toEqual(
      planReply(request("x"), { name: "success-tools" }, { now }),
    );
  });
});
