/**
 * Issue 12, "cancel through the API", against the real Paperclip server: an operator's
 * `POST /api/heartbeat-runs/<id>/cancel` on a running claude_k8s run answers success (not 409 "provider
 * termination could not be verified"), the run ends `cancelled` with the acknowledgement Paperclip requires
 * (`resultJson.executionCancellation.state = "acknowledged"`), and when the answer arrives the run's Job and
 * Secrets are gone (its pods follow). Ten times on one agent; half cancelled as soon as the Job exists, half while
 * the CLI in the pod streams the model's answer.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import type { HeartbeatRun } from "./api.js";
import { PaperclipApiError } from "./errors.js";
import { type LifecycleRig, startLifecycleRig } from "./lifecycle-rig.js";
import type { RunObjectsSnapshot } from "./run-objects.js";

const REPETITIONS = 10;

let rig: LifecycleRig | undefined;
let unavailable = "not prepared";

beforeAll(async () => {
  const started = await startLifecycleRig({ slowSeconds: 120, log: (line) => console.log(line) });
  if ("rig" in started) rig = started.rig;
  else unavailable = started.unavailable;
});

afterAll(async () => {
  await rig?.close();
});

interface Attempt {
  readonly index: number;
  readonly moment: "job created" | "streaming";
  /** From the wake to the cancel request. */
  readonly cancelAtMs: number;
  readonly httpStatus: number;
  /** How long the cancel request took. */
  readonly answerMs: number;
  readonly answer: Partial<HeartbeatRun> | null;
  readonly body: string;
  /** The run's objects right after the answer. */
  readonly after: RunObjectsSnapshot;
  /** From the answer until no live pod of the run is left. */
  readonly podsGoneMs: number;
}

function requireCluster(ctx: TestContext): LifecycleRig {
  if (!rig) ctx.skip(`claude_k8s cannot run here: ${unavailable}`);
  return rig as LifecycleRig;
}

describe("claude_k8s cancelled through Paperclip's API", () => {
  it(`answers success, ends cancelled and leaves no Job or Secret, ${REPETITIONS} times`, async (ctx) => {
    const r = requireCluster(ctx);
    const agent = await r.createAgent("cancel agent");
    const attempts: Attempt[] = [];
    for (let index = 0; index < REPETITIONS; index++) {
      const moment = index % 2 === 0 ? "job created" : "streaming";
      const woken = Date.now();
      const run = await r.wake(agent, `e2e cancel ${index}`);
      await r.objects.waitForJob(run.id, 60_000);
      if (moment === "streaming") await r.waitUntilStreaming(run.id, 90_000);
      const cancelAt = Date.now();
      const response = await fetchCancel(r, run.id);
      const answered = Date.now();
      const after = await r.objects.of(run.id);
      let podsGoneMs = -1;
      for (const deadline = answered + 30_000; Date.now() < deadline; ) {
        if ((await r.objects.of(run.id)).pods.length === 0) {
          podsGoneMs = Date.now() - answered;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      attempts.push({
        index,
        moment,
        cancelAtMs: cancelAt - woken,
        httpStatus: response.status,
        answerMs: answered - cancelAt,
        answer: response.run,
        body: response.body,
        after,
        podsGoneMs,
      });
      console.log(
        `cancel ${index} (${moment}): cancel ${cancelAt - woken} ms after the wake, HTTP ${response.status} in ` +
          `${answered - cancelAt} ms, run ${response.run?.status ?? "?"}, ` +
          `ack ${JSON.stringify(response.run?.resultJson?.executionCancellation ?? null)}, ` +
          `after: ${after.jobs.length} Job(s), ${after.secrets.length} Secret(s); pods gone ${podsGoneMs} ms later`,
      );
      if (response.status !== 200) await r.paperclip.api.waitForRun(run.id, 120_000).catch(() => undefined);
      await r.objects.remove(run.id);
    }

    const failed = attempts.filter(
      (a) =>
        a.httpStatus !== 200 ||
        a.answer?.status !== "cancelled" ||
        (a.answer?.resultJson?.executionCancellation as { state?: string } | undefined)?.state !==
          "acknowledged" ||
        a.after.jobs.length > 0 ||
        a.after.secrets.length > 0 ||
        a.podsGoneMs < 0,
    );
    expect(failed.map((a) => ({ ...a, body: a.body.slice(0, 300), answer: undefined }))).toEqual([]);

    // Paperclip's record of each run: cancelled by the operator, the adapter's status line in the log.
    const runs = await r.paperclip.api.listRuns(r.company.id, agent.id);
    for (const run of runs) {
      expect(run.status).toBe("cancelled");
      expect(run.errorCode).toBe("cancelled");
      const log = await r.logText(run.id);
      expect(log).toMatch(/\[paperclip\] cancelled \(Cancelled by a board operator\)/);
      expect(log).not.toContain("released the run without cancelling");
    }
    expect(runs).toHaveLength(REPETITIONS);
  });
});

async function fetchCancel(
  r: LifecycleRig,
  runId: string,
): Promise<{ status: number; body: string; run: Partial<HeartbeatRun> | null }> {
  try {
    const run = await r.paperclip.api.request<HeartbeatRun>(
      "POST",
      `/api/heartbeat-runs/${runId}/cancel`,
      {},
    );
    return { status: 200, body: "", run };
  } catch (error) {
    if (error instanceof PaperclipApiError) return { status: error.status, body: error.body, run: null };
    throw error;
  }
}
