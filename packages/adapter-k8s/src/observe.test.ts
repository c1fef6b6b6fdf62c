import type { JobEvent, RunJobOptions, RunJobResult } from "@paperclip-k8s/k8s-runtime";
import { RunLog } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import type { ClusterContext } from "./cluster.js";
import { parseConfig } from "./config.js";
import { makeRedactor, observeRun } from "./observe.js";

describe("makeRedactor", () => {
  it("masks every known secret value, raw or JSON-escaped, wherever it appears in a line", () => {
    const redact = makeRedactor(["sk-ant-123456", 'pa"ss\\word']);
    const line = JSON.stringify({
      type: "user",
      content: `env: ANTHROPIC_API_KEY=sk-ant-123456 PW=pa"ss\\word`,
    });
    const out = redact(line);
    expect(out).not.toContain("sk-ant-123456");
    expect(out).not.toContain('pa\\"ss\\\\word');
    expect(JSON.parse(out).content).toBe("env: ANTHROPIC_API_KEY=***REDACTED*** PW=***REDACTED***");
  });

  it("leaves lines alone when there is nothing to mask, and ignores values too short to be secrets", () => {
    expect(makeRedactor([])("abc")).toBe("abc");
    expect(makeRedactor(["1"])("a1b")).toBe("a1b");
  });
});

describe("observeRun", () => {
  it("writes progress as [paperclip] lines on stdout and Kubernetes problems as [paperclip] lines on stderr", async () => {
    const pod = { name: "job-1-abcde" };
    const events = [
      { type: "pod-created", pod },
      {
        type: "warning",
        involvedObject: { kind: "Pod", name: pod.name },
        reason: "FailedMount",
        count: 2,
        message: "no volume",
      },
      { type: "pod-scheduled", pod, nodeName: "node-1" },
    ] as unknown as JobEvent[];
    const cluster = {
      runJob: async (options: RunJobOptions) => {
        for (const event of events) options.onEvent?.(event);
        await options.onLine({ text: '{"type":"system","subtype":"init","session_id":"s"}' } as never);
        return { outcome: { kind: "complete" } } as unknown as RunJobResult;
      },
    } as unknown as ClusterContext;
    const chunks: [string, string][] = [];
    const log = new RunLog(async (stream, chunk) => {
      chunks.push([stream, chunk]);
    });
    const launched = { job: { metadata: { name: "job-1" } }, adopted: false, secretNames: [] };
    await observeRun(cluster, parseConfig({}).config, launched, log, (t) => t, undefined);
    await log.flush();
    expect(chunks).toEqual([
      ["stdout", `[paperclip] pod ${pod.name} created\n`],
      ["stderr", `[paperclip] warning on Pod ${pod.name}: FailedMount (x2): no volume\n`],
      ["stdout", `[paperclip] pod ${pod.name} scheduled on node-1\n`],
      ["stdout", '{"type":"system","subtype":"init","session_id":"s"}\n'],
    ]);
  });
});
