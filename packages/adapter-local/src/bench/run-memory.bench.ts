/**
 * Benchmark: memory and throughput of one claude_cli attempt over a very long run.
 *
 * A generator process writes `BENCH_MB` (default 512) MB of stream-json (assistant events with ~4 KB of text, each
 * its own message id, one result at the end) to stdout. Measured in this process, in the same run:
 *   - ours:     runAttempt() — incremental parse, summary, whole-line forwarding to onLog, stderr tail;
 *   - baseline: a naive consumer that keeps the whole stdout in memory and parses it at exit (what an adapter
 *               without streaming does);
 *   - drain:    reading the pipe and discarding it (upper bound for throughput).
 * Reported: peak RSS growth over the pre-run RSS, and MB/s, with ratios against the baseline / drain.
 * Run: pnpm --filter @paperclip-k8s/adapter-local bench
 */
import { spawn } from "node:child_process";
import { summarizeStdout } from "@paperclip-k8s/claude-parse";
import { runAttempt } from "../run/attempt.js";

const MB = 1024 * 1024;
const totalMb = Number(process.env.BENCH_MB ?? 512);

const generator = `
const text = "x".repeat(4000);
const line = (n) => JSON.stringify({ type: "assistant", session_id: "11111111-2222-4333-8444-555555555555",
  message: { id: "msg_" + n, role: "assistant", model: "bench", content: [{ type: "text", text }] } }) + "\\n";
const total = ${totalMb} * 1024 * 1024;
let written = 0;
let n = 0;
function pump() {
  while (written < total) {
    const next = line(n++);
    written += next.length;
    if (!process.stdout.write(next)) return process.stdout.once("drain", pump);
  }
  process.stdout.write(JSON.stringify({ type: "result", subtype: "success", is_error: false, num_turns: 1,
    session_id: "11111111-2222-4333-8444-555555555555", result: "done", total_cost_usd: 0.5 }) + "\\n");
}
pump();
`;

function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function settle(): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return process.memoryUsage().rss;
}

async function measure(name: string, run: () => Promise<void>) {
  const before = await settle();
  const sampler = sampleRss();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const peak = sampler.stop();
  const growthMb = (peak - before) / MB;
  const throughput = totalMb / seconds;
  console.log(
    `${name.padEnd(9)} peak RSS ${(peak / MB).toFixed(0).padStart(5)} MB (growth ${growthMb.toFixed(1).padStart(7)} MB)` +
      `   ${throughput.toFixed(0).padStart(5)} MB/s`,
  );
  return { growthMb, throughput };
}

async function ours() {
  let forwarded = 0;
  const outcome = await runAttempt(
    {
      command: process.execPath,
      args: ["-e", generator],
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "" },
      prompt: "",
      timeoutSec: 0,
      graceSec: 5,
      terminalResultGraceMs: 5_000,
    },
    {
      onLog: (_stream, chunk) => {
        forwarded += chunk.length;
      },
    },
  );
  if (outcome.summary.status !== "success" || forwarded < totalMb * MB)
    throw new Error("bench run did not complete");
}

function naive(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", generator], { stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", () => {
      const summary = summarizeStdout(Buffer.concat(chunks));
      if (summary.status !== "success") reject(new Error("baseline run did not complete"));
      else resolve();
    });
  });
}

function drain(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", generator], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

console.log(`claude_cli attempt over ${totalMb} MB of stream-json (node ${process.version})`);
// ours before the baseline: the baseline's multi-GB heap would inflate the RSS every later measurement starts from
const drained = await measure("drain", drain);
const streamed = await measure("ours", ours);
const baseline = await measure("baseline", naive);
console.log(
  `memory: ours uses ${(baseline.growthMb / Math.max(streamed.growthMb, 1)).toFixed(1)}x less than the buffering baseline` +
    `; throughput: ${((streamed.throughput / drained.throughput) * 100).toFixed(0)}% of a bare pipe drain`,
);
