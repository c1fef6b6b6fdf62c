import {
  buildClaudeArgs,
  classifyRun,
  createRunAccumulator,
  createStreamParser,
} from "@paperclip-k8s/claude-parse";
import { parseStdoutLine } from "@paperclip-k8s/claude-parse/ui-parser";

// The argv both adapters run (the prompt goes to stdin).
console.log(["claude", ...buildClaudeArgs({ model: "claude-sonnet-4-5", maxTurnsPerRun: 20 })].join(" "));

// Three lines of a CLI run, arriving in arbitrary chunks (here: 7 bytes at a time).
const sid = "5d0c7a52-8f1e-4b7a-9c3d-2e6f1a0b9c41";
const stdout = new TextEncoder().encode(
  [
    { type: "system", subtype: "init", session_id: sid, model: "claude-sonnet-4-5", uuid: "u-1" },
    {
      type: "assistant",
      session_id: sid,
      uuid: "u-2",
      message: { id: "m1", content: [{ type: "text", text: "Done — 2 files." }] },
    },
    {
      type: "result",
      subtype: "success",
      is_error: false,
      result: "Done — 2 files.",
      session_id: sid,
      uuid: "u-3",
      total_cost_usd: 0.0123,
      modelUsage: { "claude-sonnet-4-5": { inputTokens: 12, outputTokens: 30, cacheReadInputTokens: 200 } },
    },
  ]
    .map((event) => `${JSON.stringify(event)}\n`)
    .join(""),
);

const parser = createStreamParser();
const run = createRunAccumulator();
for (let i = 0; i < stdout.length; i += 7) run.push(parser.push(stdout.subarray(i, i + 7)));
run.push(parser.end());

// The run's summary and its classification (Paperclip's error code, family and session advice).
const summary = run.summary();
const verdict = classifyRun({ summary, exitCode: 0, signal: null });
console.log(summary.sessionId, summary.usage, summary.costUsd, verdict.errorCode ?? "no error");

// What Paperclip's run page shows for a line.
console.log(parseStdoutLine(new TextDecoder().decode(stdout).split("\n")[1] ?? "", new Date().toISOString()));
