/**
 * The main demo (`pnpm demo`, or `bash scripts/demo.sh` on a fresh clone): the product as an operator meets it.
 *
 *   1. bring up (or reuse) the sandbox cluster (Kubernetes, Services, DNS, RWX storage);
 *   2. release our packages to the local npm registry (`pnpm changeset version` + `pnpm release`), deploy Paperclip
 *      into the cluster with the Helm chart, and let Paperclip install `@paperclip-k8s/adapter-k8s` by name;
 *   3. hire a `claude_k8s` agent (Paperclip's default CEO instructions and skills) and assign it an issue;
 *   4. Paperclip wakes it: a Job with the real `claude` CLI, against the mock Anthropic API playing the model, which
 *      follows Paperclip's heartbeat procedure through Paperclip's API — the transcript is printed as it streams;
 *   5. the issue's status and the agent's comment, read back from Paperclip, and the run's result.
 *
 * Every step prints progress; a step quiet for {@link QUIET_MS} prints what it is still doing. The cluster keeps
 * running; the demo's namespace is deleted unless `--keep` (then Paperclip stays up in it, reachable with
 * `kubectl port-forward`). The lighter adapter-only demo is `pnpm demo --adapter-only` (demo.ts).
 */
import { HEARTBEAT_DONE, scenarioMarker } from "@paperclip-k8s/testing";
import { resolveLocalConfig } from "./cluster/config.js";
import { bringUp, selectProvider } from "./cluster/index.js";
import { loadKubeConfig } from "./cluster/kube.js";
import { liveRenderer } from "./demo.js";
import { deployPaperclip } from "./e2e/in-cluster-paperclip.js";
import type { HeartbeatRun } from "./paperclip/api.js";

export interface PaperclipDemoOptions {
  readonly cliVersion: string;
  readonly keep: boolean;
}

const QUIET_MS = 8000;
const TERMINAL = new Set(["succeeded", "failed", "cancelled", "timed_out"]);

/** `[demo]` lines, and a reminder of the current step whenever nothing was printed for {@link QUIET_MS}. */
function progress() {
  const started = Date.now();
  let last = Date.now();
  let step = "starting";
  const say = (line: string) => {
    last = Date.now();
    process.stdout.write(`\u001b[2m[demo ${Math.round((Date.now() - started) / 1000)}s]\u001b[0m ${line}\n`);
  };
  const timer = setInterval(() => {
    if (Date.now() - last >= QUIET_MS) say(`… still ${step}`);
  }, 1000);
  timer.unref();
  return {
    say,
    step(name: string) {
      step = name;
      say(name);
    },
    stop: () => clearInterval(timer),
  };
}

export async function runPaperclipDemo(options: PaperclipDemoOptions): Promise<void> {
  const p = progress();
  try {
    const provider = await selectProvider();
    if (provider.name !== "local" && provider.name !== "kind") {
      // A cluster of the operator's own (kubeconfig provider): no sandbox images or volumes to rely on; the lighter
      // demo shows the same Job, adapter and transcript without Paperclip.
      p.say(
        `the Paperclip demo needs a sandbox cluster (local or kind); on ${provider.name}, the adapter-only demo`,
      );
      p.stop();
      const { runDemo } = await import("./demo.js");
      await runDemo({ scenario: "success-tools", cliVersion: options.cliVersion });
      return;
    }
    p.step("bringing up the sandbox cluster (a first start builds Kubernetes from source: minutes)");
    const up = await bringUp(provider, undefined, (line) => p.say(line));
    const status = await provider.status();
    if (!status.nodeReady)
      throw new Error("the cluster is up but its node is not Ready (see `pnpm sandbox status`)");
    p.say(`${up.reused ? "reusing" : "started"} the cluster; KUBECONFIG=${provider.kubeconfigPath()}`);

    p.step("deploying Paperclip with the Helm chart and installing the adapter from the local registry");
    const pc = await deployPaperclip({
      kc: loadKubeConfig(provider.kubeconfigPath()),
      kubeconfigPath: provider.kubeconfigPath(),
      config: resolveLocalConfig(),
      podHost: status.hostAddressForPods ?? "127.0.0.1",
      provider: provider.name,
      namespacePrefix: "paperclip-demo",
      log: (line) => p.say(line),
    });
    try {
      p.step("hiring a claude_k8s agent and assigning it an issue");
      const company = await pc.api.createCompany("Demo company");
      const agent = await pc.api.createAgent(company.id, {
        name: "CEO",
        role: "ceo",
        adapterType: "claude_k8s",
        adapterConfig: {
          image: `localhost/paperclip-claude:${options.cliVersion}`,
          env: {
            ANTHROPIC_BASE_URL: pc.mock.url,
            // the mock plays a model following Paperclip's heartbeat procedure (see the paperclip-heartbeat scenario)
            ANTHROPIC_API_KEY: `sk-ant-demo-${scenarioMarker("paperclip-heartbeat")}`,
            DISABLE_TELEMETRY: "1",
            DISABLE_AUTOUPDATER: "1",
          },
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
        },
      });
      const issue = await pc.api.createIssue(company.id, {
        title: "Say hello from the cluster",
        description: "Check out this issue, leave a comment and close it.",
        assigneeAgentId: agent.id,
        status: "todo",
      });
      p.say(`agent ${agent.name} (${agent.id}) hired; issue "${issue.title}" assigned`);

      p.step("waiting for Paperclip to wake the agent: its run is a Job in the cluster");
      const run = await followRun(pc.api, company.id, agent.id, p.say);
      const done = await pc.api.getIssue(issue.id);
      const comments = (await pc.api.issueComments(issue.id)).filter((c) => c.authorAgentId === agent.id);
      p.say(`run ${run.status}${run.errorCode ? ` (${run.errorCode}: ${run.error})` : ""}`);
      p.say(`issue status in Paperclip: ${done.status}`);
      for (const c of comments) p.say(`comment by the agent: ${c.body}`);
      const usage = (run.usageJson ?? {}) as Record<string, unknown>;
      const result = (run.resultJson ?? {}) as Record<string, unknown>;
      const shown = {
        status: run.status,
        sessionId: run.sessionIdAfter,
        inputTokens: usage.inputTokens ?? null,
        outputTokens: usage.outputTokens ?? null,
        costUsd: usage.costUsd ?? result.total_cost_usd ?? null,
        summary: result.result ?? null,
        kubernetes: result.kubernetes ?? null,
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      if (run.status !== "succeeded" || done.status !== "done") process.exitCode = 1;
    } finally {
      if (options.keep) {
        p.say(
          `Paperclip keeps running in namespace ${pc.namespace}: kubectl -n ${pc.namespace} port-forward svc/pc-paperclip-claude-k8s 3100`,
        );
      } else {
        p.step(`deleting the demo's namespace ${pc.namespace} (use --keep to keep Paperclip running)`);
      }
      await pc.close(options.keep);
    }
    p.say("the cluster keeps running for the next command; stop it with `pnpm sandbox down`");
  } finally {
    p.stop();
  }
}

/** Prints the run's log from Paperclip as it grows (stdout lines through the formatter), until the run ends. */
async function followRun(
  api: import("./paperclip/api.js").PaperclipApi,
  companyId: string,
  agentId: string,
  say: (line: string) => void,
): Promise<HeartbeatRun> {
  const deadline = Date.now() + 300_000;
  let runId = "";
  while (!runId) {
    runId = (await api.listRuns(companyId, agentId))[0]?.id ?? "";
    if (Date.now() > deadline) throw new Error("Paperclip did not wake the agent");
    if (!runId) await new Promise((r) => setTimeout(r, 1000));
  }
  say(`run ${runId} started`);
  let printed = 0;
  const renderer = liveRenderer();
  for (;;) {
    const run = await api.getRun(runId);
    const records = await api.runLog(runId).catch(() => []);
    for (const record of records.slice(printed)) await renderer.onLog(record.stream, record.chunk);
    printed = records.length;
    if (TERMINAL.has(run.status)) {
      if (!records.some((r) => r.chunk.includes(HEARTBEAT_DONE)) && run.status === "succeeded") {
        say("the run succeeded but the agent did not finish its heartbeat procedure");
      }
      return run;
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish within 5 minutes`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
