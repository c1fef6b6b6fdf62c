/**
 * Runs one claude_k8s execute() in its own process — a stand-in for a Paperclip server process, so e2e tests can
 * kill it (SIGKILL, no cleanup) and then watch a "restarted" Paperclip adopt the Job it left behind.
 * Input: the RunInput as JSON in argv[2]. Output: log chunks, then one `RESULT <json>` line.
 */
import { createServerAdapter } from "../index.js";
import { type RunInput, recordedRun } from "./harness.js";

const input = JSON.parse(process.argv[2] ?? "{}") as RunInput;
const run = recordedRun(input);
const origOnLog = run.ctx.onLog;
run.ctx.onLog = async (stream, chunk) => {
  process.stdout.write(`LOG ${JSON.stringify({ stream, chunk })}\n`);
  await origOnLog(stream, chunk);
};
const result = await createServerAdapter().execute(run.ctx);
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
