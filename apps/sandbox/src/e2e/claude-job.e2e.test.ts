import { BatchV1Api, type KubeConfig, type V1Job } from "@kubernetes/client-node";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveLocalConfig } from "../cluster/config.js";
import { createTestNamespace, deleteTestNamespace, waitForJobState } from "../scenarios/index.js";
import { e2eKubeConfig, runProcess } from "./helpers.js";

const config = resolveLocalConfig();

function claudeJob(name: string, prompt: string, mockUrl: string, cliVersion: string): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: "Never",
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "claude",
              image: config.images.claude(cliVersion),
              imagePullPolicy: "IfNotPresent",
              command: ["claude", "-p", prompt, "--output-format", "stream-json", "--verbose"],
              env: [
                { name: "ANTHROPIC_BASE_URL", value: mockUrl },
                { name: "ANTHROPIC_API_KEY", value: "sk-ant-sandbox-e2e" },
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
        },
      },
    },
  };
}

/** Starts the Job, follows its logs with `kubectl logs -f` from the moment the pod runs, returns everything seen. */
async function runAndFollow(kc: KubeConfig, namespace: string, job: V1Job) {
  const name = job.metadata!.name!;
  await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace, body: job });
  // Started: running, or (a quick failure on a loaded machine) already terminated between two polls.
  const running = await waitForJobState(
    kc,
    namespace,
    name,
    "container started",
    (s) => {
      const state = s.pods[0]?.status?.containerStatuses?.[0]?.state;
      return state?.running || state?.terminated ? true : undefined;
    },
    { timeoutMs: 120_000, pollMs: 200 },
  );
  const follow = await runProcess("kubectl", ["logs", "-f", `job/${name}`, "-n", namespace], 300_000);
  const done = await waitForJobState(
    kc,
    namespace,
    name,
    "job finished",
    (s) =>
      s.job?.status?.conditions?.find(
        (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
      ),
    { timeoutMs: 120_000 },
  );
  const terminated = done.state.pods[0]?.status?.containerStatuses?.[0]?.state?.terminated;
  const events = follow.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; subtype?: string; is_error?: boolean });
  const followedWhileRunning = Boolean(running.state.pods[0]?.status?.containerStatuses?.[0]?.state?.running);
  return { followedWhileRunning, follow, condition: done.value, terminated, events };
}

describe.each(config.claudeVersions)(
  "a Job running the real claude %s image against the mock Anthropic API",
  (version) => {
    let kc: KubeConfig;
    let namespace: string;
    let mock: MockAnthropic;

    beforeAll(async () => {
      kc = e2eKubeConfig();
      const host = process.env.SANDBOX_POD_HOST;
      if (!host)
        throw new Error("SANDBOX_POD_HOST not set: the global setup exports where pods reach this machine");
      mock = await startMockAnthropic({ host, port: 0 });
      namespace = await createTestNamespace(kc, `claude-${version.replace(/\./g, "-")}`);
    });

    afterAll(async () => {
      await mock?.close();
      if (namespace) await deleteTestNamespace(kc, namespace);
    });

    it("completes; kubectl logs -f streams its stream-json and ends when the container exits", async () => {
      const r = await runAndFollow(
        kc,
        namespace,
        claudeJob("claude-ok", "[[mock:slow:6]] say hello", mock.url, version),
      );
      expect(r.condition.type).toBe("Complete");
      expect(r.terminated?.exitCode).toBe(0);
      expect(r.follow.code).toBe(0);
      // The follow stream ended by itself, once the container had exited.
      expect(r.follow.endedAt.getTime()).toBeGreaterThanOrEqual(
        new Date(r.terminated!.finishedAt!).getTime(),
      );
      expect(r.events[0]).toMatchObject({ type: "system", subtype: "init" });
      expect(r.events.at(-1)).toMatchObject({ type: "result", subtype: "success", is_error: false });
      expect(r.events.some((e) => e.type === "assistant")).toBe(true);
      expect(mock.requests.some((q) => q.path.startsWith("/v1/messages") && q.mainLoop)).toBe(true);
    });

    it("fails with the CLI's own exit code when the API refuses the request", async () => {
      const r = await runAndFollow(
        kc,
        namespace,
        claudeJob("claude-fails", "[[mock:credit-balance]] hi", mock.url, version),
      );
      expect(r.condition.type).toBe("Failed");
      expect(r.terminated?.exitCode).toBe(1);
      expect(r.follow.code).toBe(0);
      expect(r.events.at(-1)).toMatchObject({ type: "result", is_error: true });
    });
  },
);
