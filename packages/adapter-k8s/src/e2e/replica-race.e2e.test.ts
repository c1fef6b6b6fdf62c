/**
 * Issue 12, two replicas: two Paperclip processes (here two Node processes, each with its own claude_k8s adapter)
 * wake the same agent for the same task at the same moment. Every round: exactly one Job is created (seen by a watch
 * on the namespace, not by the adapter's own report), exactly one run succeeds and books usage, cost and a session,
 * and the other returns `k8s_concurrent_run_blocked` having booked nothing and created nothing. Rounds alternate
 * which process is late (0 to 1000 ms) so the loser meets the winner at different steps; each round uses a fresh
 * agent so no deletion of an earlier round's Job is awaited. RACE_ROUNDS (default 20) and RACE_BUDGET_SEC (default
 * 180: no new round starts after it) bound the test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { V1Job } from "@kubernetes/client-node";
import type { AdapterExecutionResult } from "@paperclip-k8s/run-core";
import { afterAll, describe, expect, it } from "vitest";
import type { RunInput } from "./harness.js";
import { adapterSuite } from "./suite.js";

const s = adapterSuite("ck8s-race");

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 20);
const BUDGET_MS = Number(process.env.RACE_BUDGET_SEC ?? 180) * 1000;
/** How late the second process starts, per round (cycled); which process is late alternates. */
const LATE_MS = [0, 0, 30, 150, 400, 1000];
const BLOCKED = "k8s_concurrent_run_blocked";

interface RoundReport {
  round: number;
  startedAt: number;
  endedAt: number;
  result: AdapterExecutionResult & { thrown?: string };
  status: string[];
}

/** A replica process and the reports it printed, by round. */
class Replica {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private readonly waiting = new Map<number, (report: RoundReport) => void>();
  exited: string | undefined;

  constructor(readonly name: string) {
    const script = fileURLToPath(new URL("./race-child.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
    this.child = spawn(tsx, [script], { stdio: ["pipe", "pipe", "inherit"] });
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    this.child.once("exit", (code, signal) => {
      this.exited = `exited (code ${code}, signal ${signal})`;
    });
    const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line === "READY") markReady();
      if (!line.startsWith("ROUND ")) return;
      const report = JSON.parse(line.slice("ROUND ".length)) as RoundReport;
      this.waiting.get(report.round)?.(report);
    });
  }

  run(round: number, at: number, input: RunInput): Promise<RoundReport> {
    const reported = new Promise<RoundReport>((resolve, reject) => {
      this.waiting.set(round, resolve);
      setTimeout(() => reject(new Error(`${this.name}: no report of round ${round} in 120 s`)), 120_000);
    });
    this.child.stdin?.write(`${JSON.stringify({ round, at, input })}\n`);
    return reported;
  }

  stop(): void {
    this.child.stdin?.end();
    if (!this.exited) this.child.kill("SIGTERM");
  }
}

/** Every Job uid the namespace ever had, by agent, from a watch started before the first round. */
async function watchJobs(
  ns: string,
): Promise<{ uids: Map<string, Set<string>>; ended: () => string; stop(): void }> {
  const uids = new Map<string, Set<string>>();
  const list = await s.admin.batch.listNamespacedJob({ namespace: ns });
  let ended = "";
  let stopped = false;
  const record = (job: V1Job) => {
    const agent = job.metadata?.labels?.["paperclip.ai/agent-id"] ?? "?";
    const set = uids.get(agent) ?? new Set<string>();
    set.add(job.metadata?.uid ?? "?");
    uids.set(agent, set);
  };
  for (const job of list.items) record(job);
  const controller = await s.admin.watch.watch(
    `/apis/batch/v1/namespaces/${ns}/jobs`,
    { resourceVersion: list.metadata?.resourceVersion },
    (_type, job: V1Job) => record(job),
    (error) => {
      if (!stopped) ended = `the Job watch ended: ${error ?? "closed"}`;
    },
  );
  return {
    uids,
    ended: () => ended,
    stop: () => {
      stopped = true;
      controller.abort();
    },
  };
}

const replicas: Replica[] = [];
afterAll(() => {
  for (const r of replicas) r.stop();
});

describe("claude_k8s with two Paperclip replicas racing for the same agent and task", () => {
  it("creates one Job and books one run per round; the other run is blocked and books nothing", async () => {
    const a = new Replica("replica A");
    const b = new Replica("replica B");
    replicas.push(a, b);
    await Promise.all([a.ready, b.ready]);
    // Warm-up: each process's first run connects, reads its kubeconfig and loads lazily imported modules, which can
    // take longer than a whole run; without it round 0 would not be a race but two runs one after the other.
    const warm = await Promise.all(
      [a, b].map((r, i) =>
        r.run(-1 - i, Date.now(), {
          runId: `warm-${i}`,
          agentId: `warm-agent-${i}`,
          config: s.config({ promptTemplate: "warm [[mock:success]]" }),
        }),
      ),
    );
    for (const w of warm) expect(w.result.exitCode, w.status.join("\n")).toBe(0);
    const jobs = await watchJobs(s.ns);
    const started = Date.now();
    const rounds: { round: number; late: string; reports: RoundReport[] }[] = [];
    try {
      for (let round = 0; round < ROUNDS && Date.now() - started < BUDGET_MS; round += 1) {
        const agentId = `race-agent-${round}`;
        const input = (runId: string): RunInput => ({
          runId,
          agentId,
          taskKey: "race-task",
          // The winner's Job streams for 4 s: every late start (at most 1 s) meets a live runner.
          config: s.config({ promptTemplate: "race [[mock:slow:4]]" }),
        });
        const lateMs = LATE_MS[round % LATE_MS.length] ?? 0;
        const at = Date.now() + 300;
        const [lateOne, onTime] = round % 2 === 0 ? [b, a] : [a, b];
        const reports = await Promise.all([
          onTime.run(round, at, input(`race-${round}-${onTime === a ? "a" : "b"}`)),
          lateOne.run(round, at + lateMs, input(`race-${round}-${lateOne === a ? "a" : "b"}`)),
        ]);
        rounds.push({ round, late: `${lateOne.name} +${lateMs} ms`, reports });
      }
    } finally {
      jobs.stop();
    }
    const elapsedSec = Math.round((Date.now() - started) / 1000);
    console.info(`replica race: ${rounds.length} rounds in ${elapsedSec} s`);

    for (const { round, late, reports } of rounds) {
      const t0 = Math.min(...reports.map((r) => r.startedAt));
      console.info(
        `round ${round} (${late}): ${reports
          .map(
            (r) =>
              `${r.result.errorCode ?? "ok"} [${r.startedAt - t0}..${r.endedAt - t0} ms]` +
              (r.result.errorCode === BLOCKED ? ` (${r.result.errorMessage}; ${r.status.at(-1) ?? ""})` : ""),
          )
          .join(", ")}; Jobs ${jobs.uids.get(`race-agent-${round}`)?.size ?? 0}`,
      );
      // A round far slower than its 4 s stream: what each run did when.
      const slowest = Math.max(...reports.map((r) => r.endedAt - t0));
      if (slowest > 20_000) for (const r of reports) console.info(`  ${r.status.join("\n  ")}`);
    }
    expect(jobs.ended()).toBe("");
    expect(rounds.length).toBeGreaterThanOrEqual(Math.min(ROUNDS, 5));
    for (const { round, late, reports } of rounds) {
      const context = `round ${round} (${late}):\n${reports
        .map(
          (r) => `${r.result.errorCode ?? "ok"} ${r.result.errorMessage ?? ""}\n  ${r.status.join("\n  ")}`,
        )
        .join("\n")}`;
      const winners = reports.filter((r) => r.result.exitCode === 0 && !r.result.errorCode);
      const losers = reports.filter((r) => r.result.errorCode === BLOCKED);
      expect(winners, context).toHaveLength(1);
      expect(losers, context).toHaveLength(1);
      const [winner] = winners as [RoundReport];
      const [loser] = losers as [RoundReport];
      // The winner books the run: usage, cost and its session.
      expect(winner.result.usage?.outputTokens ?? 0, context).toBeGreaterThan(0);
      expect(winner.result.costUsd ?? 0, context).toBeGreaterThan(0);
      expect(winner.result.sessionId, context).toBeTruthy();
      // The loser books nothing and touched no Job.
      expect(loser.result.usage, context).toBeUndefined();
      expect(loser.result.costUsd ?? null, context).toBeNull();
      expect(loser.result.sessionId ?? null, context).toBeNull();
      expect(loser.result.sessionParams ?? null, context).toBeNull();
      expect(loser.result.resultJson?.harvested, context).toBeUndefined();
      expect(loser.status.join("\n"), context).not.toMatch(/created Job|adopted running Job|harvest/);
      // Exactly one Job of this agent ever existed: the winner's.
      const uids = [...(jobs.uids.get(`race-agent-${round}`) ?? [])];
      const winnerJob = (winner.result.resultJson?.kubernetes as { jobUid?: string } | undefined)?.jobUid;
      expect(uids, context).toEqual([winnerJob]);
    }
    const lostByLate = rounds.filter(({ reports }) =>
      reports.some(
        (r) => r.result.errorCode === BLOCKED && r.startedAt > Math.min(...reports.map((x) => x.startedAt)),
      ),
    ).length;
    console.info(`replica race: the later process lost ${lostByLate} of ${rounds.length} rounds`);
  });
});
