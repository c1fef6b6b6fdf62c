/**
 * One Paperclip replica for the replica-race e2e: a long-lived process holding its own claude_k8s adapter. It prints
 * `READY`, then for each line `{ round, at, input }` on stdin waits until the wall-clock time `at` (both replicas
 * get the same or nearly the same moment), runs execute() once and prints
 * `ROUND <json: { round, result, status }>`. Rounds run one after another; stdin closing ends the process.
 */
import { createInterface } from "node:readline";
import { createServerAdapter } from "../index.js";
import { type RunInput, recordedRun } from "./harness.js";

interface RoundRequest {
  round: number;
  at: number;
  input: RunInput;
}

const adapter = createServerAdapter();
process.stdout.write("READY\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const { round, at, input } = JSON.parse(line) as RoundRequest;
  const run = recordedRun(input);
  const wait = at - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const startedAt = Date.now();
  // Each status line (and the start of each transcript line) stamped with its time since the start: what happened
  // when, for the test's report of a slow round.
  const stamped: string[] = [];
  const onLog = run.ctx.onLog;
  run.ctx.onLog = async (stream, chunk) => {
    if (chunk.startsWith("[paperclip]")) stamped.push(`+${Date.now() - startedAt} ms ${chunk.trimEnd()}`);
    else stamped.push(`+${Date.now() - startedAt} ms (${stream}) ${chunk.slice(0, 100).trimEnd()}`);
    await onLog(stream, chunk);
  };
  const result = await adapter.execute(run.ctx).catch((error: unknown) => ({ thrown: String(error) }));
  process.stdout.write(
    `ROUND ${JSON.stringify({ round, startedAt, endedAt: Date.now(), result, status: stamped })}\n`,
  );
}
