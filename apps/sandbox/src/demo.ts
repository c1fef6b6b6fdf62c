/**
 * The adapter-only demo (`pnpm demo --adapter-only`): the sandbox's default scenario without Paperclip.
 *
 *   1. bring up (or reuse) the embedded cluster — the `local` provider where no Docker engine answers;
 *   2. start the mock Anthropic API on an address the cluster's pods reach;
 *   3. run one Paperclip run through the real `claude_k8s` adapter: a Job with the real `claude` CLI image;
 *   4. print the run's stream through claude-parse's terminal formatter, then the result Paperclip would record.
 *
 * Options (parsed by `sandbox demo`): `--scenario <mock scenario>` (default success-tools), `--cli <version>`
 * (image tag, default 2.1.330).
 * The cluster is left running for the next command; `pnpm sandbox down` stops it.
 */
import { randomUUID } from "node:crypto";
import { createServerAdapter } from "@paperclip-k8s/adapter-k8s";
import { formatStreamLine } from "@paperclip-k8s/claude-parse";
import { getClients } from "@paperclip-k8s/k8s-runtime";
import { startMockAnthropic } from "@paperclip-k8s/testing";
import { bringUp, selectProvider } from "./cluster/index.js";

const NAMESPACE = "paperclip-demo";

export interface DemoOptions {
  scenario: string;
  cliVersion: string;
}

const say = (line: string) => process.stdout.write(`\u001b[2m[demo]\u001b[0m ${line}\n`);

async function ensureNamespace(kubeconfigPath: string): Promise<void> {
  const { core } = getClients({ kind: "file", path: kubeconfigPath });
  try {
    await core.readNamespace({ name: NAMESPACE });
  } catch {
    await core.createNamespace({
      body: {
        metadata: {
          name: NAMESPACE,
          labels: { "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
    });
  }
}

const SHOWN_LINES = 12;

/** A long entry (a skill's text the CLI injected, a big tool result) as its first lines and a count of the rest. */
function clip(text: string): string {
  const lines = text.split("\n");
  if (lines.length <= SHOWN_LINES) return text;
  return [
    ...lines.slice(0, SHOWN_LINES),
    `\u001b[2m… ${lines.length - SHOWN_LINES} more lines\u001b[0m`,
  ].join("\n");
}

/**
 * Prints each complete stdout line through the formatter and the adapter's own status lines (`[paperclip] …`,
 * dimmed) as they come; stderr dimmed. Shared with the Paperclip demo, which feeds it the run log Paperclip stores.
 */
export function liveRenderer() {
  let pending = "";
  return {
    onLog: async (stream: string, chunk: string) => {
      if (stream !== "stdout") {
        for (const line of chunk.split("\n").filter(Boolean))
          process.stdout.write(`\u001b[2m${line}\u001b[0m\n`);
        return;
      }
      pending += chunk;
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const text = line.startsWith("[paperclip]") ? `\u001b[2m${line}\u001b[0m` : formatStreamLine(line);
        if (text) process.stdout.write(`${clip(text)}\n`);
        nl = pending.indexOf("\n");
      }
    },
  };
}

/** Runs the demo; `sandbox demo` (commands/demo.ts) parses its options. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const provider = await selectProvider();
  say(`cluster provider: ${provider.name}`);
  const up = await bringUp(provider, undefined, (line) => say(line));
  const status = await provider.status();
  if (!status.nodeReady)
    throw new Error("demo: the cluster is up but its node is not Ready (see `pnpm sandbox status`)");
  const kubeconfig = provider.kubeconfigPath();
  say(`${up.reused ? "reusing" : "started"} the cluster; KUBECONFIG=${kubeconfig}`);

  const podHost = status.hostAddressForPods ?? "127.0.0.1";
  const mock = await startMockAnthropic({ host: podHost, port: 0, log: () => undefined });
  say(`mock Anthropic API at ${mock.url} (scenario ${options.scenario})`);
  try {
    await ensureNamespace(kubeconfig);
    const adapter = createServerAdapter();
    const renderer = liveRenderer();
    const runId = `demo-${randomUUID().slice(0, 8)}`;
    const config = {
      namespace: NAMESPACE,
      kubeconfig,
      image: `localhost/paperclip-claude:${options.cliVersion}`,
      imagePullPolicy: "IfNotPresent",
      workspaceMode: "emptyDir",
      // Where the agent would call Paperclip back; the demo runs no Paperclip server, so nothing answers there.
      paperclipApiUrl: `http://${podHost}:3100`,
      timeoutSec: 300,
      promptTemplate: `You are a demo agent. List the files in your workspace. [[mock:${options.scenario}]]`,
      env: {
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: "sk-ant-demo-not-a-real-key",
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
      },
    };
    say(`run ${runId}: claude_k8s → Job in namespace ${NAMESPACE}, image ${config.image}`);
    const result = await adapter.execute({
      runId,
      agent: {
        id: "demo-agent",
        companyId: "demo-company",
        name: "Demo agent",
        adapterType: "claude_k8s",
        adapterConfig: config,
      },
      runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: "demo-task" },
      config,
      context: { taskId: "demo-task", wakeReason: "demo" },
      authToken: "demo-run-jwt-not-a-real-token",
      onLog: renderer.onLog,
      onMeta: async () => undefined,
    });
    say("result Paperclip would record:");
    const shown = {
      exitCode: result.exitCode,
      errorCode: result.errorCode ?? null,
      errorFamily: result.errorFamily ?? null,
      sessionId: result.sessionId ?? null,
      model: result.model ?? null,
      usage: result.usage ?? null,
      costUsd: result.costUsd ?? null,
      summary: result.summary ?? null,
    };
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    say("the cluster keeps running for the next command; stop it with `pnpm sandbox down`");
    if (result.exitCode !== 0 && options.scenario.startsWith("success")) process.exitCode = 1;
  } finally {
    await mock.close();
  }
}
