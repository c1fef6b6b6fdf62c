import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockAnthropic, MockAnthropicConfigError, startMockAnthropic } from "./server.js";

describe("mock-anthropic server over HTTP", () => {
  let mock: MockAnthropic;
  const logged: string[] = [];
  beforeAll(async () => {
    mock = await startMockAnthropic({ defaultScenario: "success", log: (l) => logged.push(l) });
  });
  afterAll(() => mock.close());

  const post = (path: string, body: unknown) =>
    fetch(`${mock.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("streams SSE for stream:true and picks the scenario from the prompt marker", async () => {
    const res = await post("/v1/messages?beta=true", {
      model: "m",
      stream: true,
      tools: [{ name: "Bash" }],
      messages: [{ role: "user", content: "go [[mock:thinking]]" }],
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/^event: message_start\ndata: \{/);
    expect(text).toContain('"type":"signature_delta"');
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    expect(mock.requests.at(-1)).toMatchObject({ path: "/v1/messages", scenario: "thinking", stream: true });
  });

  it("answers non-streaming requests with JSON from the default scenario", async () => {
    const res = await post("/v1/messages", { model: "m", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: "message", content: [{ type: "text" }] });
  });

  it("returns Anthropic error bodies and headers", async () => {
    const res = await post("/v1/messages", {
      stream: true,
      messages: [{ role: "user", content: "[[mock:rate-limit-429:3]]" }],
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: expect.stringContaining("rate limit") },
    });
    const bad = await fetch(`${mock.url}/v1/messages`, { method: "POST", body: "{nope" });
    expect(bad.status).toBe(400);
  });

  it("counts tokens, lists models, and answers unknown probes while logging them", async () => {
    expect(await (await post("/v1/messages/count_tokens", { messages: [] })).json()).toHaveProperty(
      "input_tokens",
    );
    expect(
      ((await (await fetch(`${mock.url}/v1/models`)).json()) as { data: unknown[] }).data.length,
    ).toBeGreaterThan(0);
    const unknown = await fetch(`${mock.url}/api/oauth/profile`);
    expect(unknown.status).toBe(200);
    expect(logged.some((l) => l.includes("GET /api/oauth/profile"))).toBe(true);
    expect(mock.requests.at(-1)).toMatchObject({ known: false });
  });

  it("serves concurrent requests with different scenarios from one server", async () => {
    const statuses = await Promise.all(
      (["auth-401", "overloaded-529", "credit-balance", "echo"] as const).map(async (s) => {
        const res = await post("/v1/messages", {
          tools: [{ name: "x" }],
          messages: [{ role: "user", content: `[[mock:${s}]]` }],
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses).toEqual([401, 529, 400, 200]);
  });
});

describe("startMockAnthropic config", () => {
  it.each([
    [{ port: 70000 }, "port"],
    [{ defaultScenario: "nope" as never }, "defaultScenario"],
    [{ latencyMs: -1 }, "latencyMs"],
    [{ host: " " }, "host"],
  ])("rejects %j naming the field", async (options, field) => {
    await expect(startMockAnthropic(options)).rejects.toMatchObject({
      name: "MockAnthropicConfigError",
      field,
    });
    await expect(startMockAnthropic(options)).rejects.toBeInstanceOf(MockAnthropicConfigError);
  });
});
