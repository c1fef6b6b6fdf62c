/**
 * What the lifecycle tests (cancel, graceful shutdown) share: the real Paperclip server with claude_k8s installed
 * from its package directory, a company, the sandbox cluster namespace, and a mock Anthropic API whose answers are
 * slow, so a run stays in flight as long as a test needs. The mock picks the `slow` scenario from the marker in the
 * agent's (dummy) API key, for every request of the CLI.
 */
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { assertBuilt, CLAUDE_K8S } from "./adapters.js";
import type { Agent, Company, HeartbeatRun, RunLogRecord } from "./api.js";
import { RunObjects } from "./run-objects.js";
import { type K8sTarget, prepareK8sTarget } from "./sandbox-cluster.js";
import { type PaperclipServer, startPaperclip } from "./server.js";

/** The text the `slow` scenario streams first: the CLI in the pod is talking to the model. */
export const SLOW_REPLY_START = "Starting a long answer.";

export interface LifecycleRig {
  readonly paperclip: PaperclipServer;
  readonly company: Company;
  readonly objects: RunObjects;
  readonly mock: MockAnthropic;
  /** A claude_k8s agent whose runs stream for `slowSeconds`. */
  createAgent(name: string): Promise<Agent>;
  /** Wakes the agent without a task ("Run now"); resolves to the queued run. */
  wake(agent: Agent, reason: string): Promise<HeartbeatRun>;
  /** Resolves once the run log shows the CLI in the pod streaming the model's answer. */
  waitUntilStreaming(runId: string, timeoutMs: number): Promise<void>;
  /** The run log as one string (stdout and stderr chunks). */
  logText(runId: string): Promise<string>;
  close(): Promise<void>;
}

export type RigOrReason = { readonly rig: LifecycleRig } | { readonly unavailable: string };

export async function startLifecycleRig(options: {
  readonly slowSeconds: number;
  readonly log?: (line: string) => void;
}): Promise<RigOrReason> {
  const k8s: K8sTarget = await prepareK8sTarget();
  if (!k8s.ok) return { unavailable: k8s.reason };
  let mock: MockAnthropic | undefined;
  let paperclip: PaperclipServer | undefined;
  try {
    await assertBuilt(CLAUDE_K8S);
    mock = await startMockAnthropic({ host: k8s.mockHost, defaultScenario: "success" });
    paperclip = await startPaperclip(options.log ? { log: options.log } : {});
    await paperclip.api.installLocalAdapter(CLAUDE_K8S.dir);
    const company = await paperclip.api.createCompany("Paperclip K8s lifecycle E2E");
    const server = paperclip;
    const anthropicUrl = mock.url;
    const api = () => server.api;
    const logText = async (runId: string) =>
      (await api().runLog(runId)).map((record: RunLogRecord) => record.chunk).join("");
    const rig: LifecycleRig = {
      paperclip,
      company,
      objects: new RunObjects(k8s.kubeconfig, k8s.namespace),
      mock,
      createAgent: (name) =>
        api().createAgent(company.id, {
          name,
          adapterType: CLAUDE_K8S.type,
          adapterConfig: k8s.agentConfig({
            anthropicUrl,
            // A dummy key the mock accepts; its marker makes every answer stream for slowSeconds.
            apiKey: `sk-ant-e2e-mock-key-[[mock:slow:${options.slowSeconds}]]`,
          }),
        }),
      wake: (agent, reason) =>
        api().request<HeartbeatRun>("POST", `/api/agents/${agent.id}/wakeup`, {
          source: "on_demand",
          reason,
        }),
      waitUntilStreaming: async (runId, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          if ((await logText(runId)).includes(SLOW_REPLY_START)) return;
          const run = await api().getRun(runId);
          if (!["queued", "running"].includes(run.status))
            throw new Error(`run ${runId} ended ${run.status} (${run.errorCode}) before streaming`);
          if (Date.now() > deadline)
            throw new Error(`run ${runId} not streaming after ${timeoutMs / 1000} s`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      },
      logText,
      close: async () => {
        await server.stop();
        await mock?.close();
        await k8s.cleanup();
      },
    };
    return { rig };
  } catch (error) {
    await paperclip?.stop();
    await mock?.close();
    await k8s.cleanup();
    throw error;
  }
}
