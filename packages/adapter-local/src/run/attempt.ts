import { randomUUID } from "node:crypto";
import {
  classifyRun,
  createRunAccumulator,
  createStreamParser,
  type RunClassification,
  type RunSummary,
} from "@paperclip-k8s/claude-parse";
import { type ChildRunOutcome, type ChildSpawnInfo, startChildRun } from "../process/child-run.js";
import { LineChunker, splitForLog, TailBuffer } from "./output.js";
import { includesResult } from "./result-seen.js";

/** Env var carrying a per-attempt token, by which every descendant of the CLI is found and ended. */
export const RUN_MARKER_ENV = "PAPERCLIP_CLAUDE_CLI_ATTEMPT";

/** One invocation of the CLI, fully resolved. */
export interface AttemptSpec {
  /** Absolute path of the CLI. */
  command: string;
  args: readonly string[];
  cwd: string;
  /** The complete child environment. */
  env: Readonly<Record<string, string>>;
  prompt: string;
  timeoutSec: number;
  graceSec: number;
  terminalResultGraceMs: number;
  signal?: AbortSignal | undefined;
}

export interface AttemptSinks {
  onLog: (stream: "stdout" | "stderr", chunk: string) => Promise<void> | void;
  onSpawn?: ((info: ChildSpawnInfo) => Promise<void> | void) | undefined;
}

/** What happened, normalised for Paperclip: a run the adapter ended after a successful result counts as exit 0. */
export interface AttemptOutcome {
  process: ChildRunOutcome;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The CLI wrote its result but did not exit by itself, and was ended by the adapter. */
  endedAfterResult: boolean;
  summary: RunSummary;
  /** The last 64 KiB of stderr. */
  stderrTail: string;
  classification: RunClassification;
}

/**
 * Runs the CLI once: prompt on stdin, stdout parsed incrementally (claude-parse) and forwarded to `onLog` as whole
 * lines, stderr forwarded and its tail kept. Memory stays bounded by the longest line, not the length of the run.
 */
export async function runAttempt(spec: AttemptSpec, sinks: AttemptSinks): Promise<AttemptOutcome> {
  const parser = createStreamParser();
  const accumulator = createRunAccumulator();
  const stdoutLines = new LineChunker();
  const stderrTail = new TailBuffer();

  const run = startChildRun(
    {
      command: spec.command,
      args: spec.args,
      cwd: spec.cwd,
      env: spec.env,
      stdin: spec.prompt,
      marker: { name: RUN_MARKER_ENV, value: randomUUID() },
    },
    {
      timeoutSec: spec.timeoutSec,
      graceSec: spec.graceSec,
      afterResultGraceMs: spec.terminalResultGraceMs,
      signal: spec.signal,
      onSpawn: sinks.onSpawn,
      onStdout: async (chunk) => {
        const lines = parser.push(chunk);
        accumulator.push(lines);
        if (includesResult(lines)) run.terminalResultSeen();
        for (const piece of stdoutLines.push(chunk)) await sinks.onLog("stdout", piece);
      },
      onStderr: async (chunk) => {
        for (const piece of splitForLog(stderrTail.push(chunk))) await sinks.onLog("stderr", piece);
      },
    },
  );
  const outcome = await run.done;

  accumulator.push(parser.end());
  for (const piece of stdoutLines.end()) await sinks.onLog("stdout", piece);
  for (const piece of splitForLog(stderrTail.end())) await sinks.onLog("stderr", piece);

  return settle(outcome, accumulator.summary(), stderrTail.value.text, spec.timeoutSec);
}

function settle(
  process: ChildRunOutcome,
  summary: RunSummary,
  stderr: string,
  timeoutSec: number,
): AttemptOutcome {
  const timedOut = process.stoppedBy === "timeout";
  const endedAfterResult = process.stoppedBy === "after_result";
  const cleanEnd = endedAfterResult && summary.status === "success";
  const exitCode = cleanEnd ? 0 : process.exitCode;
  const signal = cleanEnd ? null : process.signal;
  const classification = classifyRun({ summary, exitCode, signal, stderr, timedOut, timeoutSec });
  return {
    process,
    exitCode,
    signal,
    timedOut,
    cancelled: process.stoppedBy === "cancelled",
    endedAfterResult,
    summary,
    stderrTail: stderr,
    classification,
  };
}
