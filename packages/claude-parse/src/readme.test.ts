import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("README quick start", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is examples/quick-start.ts verbatim, and it runs", async () => {
    const example = read("../examples/quick-start.ts");
    expect(read("../README.md")).toContain(example.trim());
    const out: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      out.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    await import("../examples/quick-start.js");
    expect(out[0]).toBe(
      "claude --print --output-format stream-json --verbose --model claude-sonnet-4-5 --max-turns 20",
    );
    expect(out[1]).toBe(
      '5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41 {"inputTokens":12,"outputTokens":30,"cacheReadInputTokens":200,"cacheCreationInputTokens":0} 0.0123 no error',
    );
    expect(out[2]).toContain('"kind":"assistant"');
  });
});
