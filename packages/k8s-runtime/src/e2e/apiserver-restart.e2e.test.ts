// `sandbox restart kube-apiserver` stops the API server and starts it again exactly as `sandbox up` started it
// (same command line, same log file, record rewritten so `sandbox down` still stops it).
import { sandboxCli } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClients } from "../clients.js";
import type { LogLine } from "../log-cursor.js";
import { runJob } from "../run-job.js";
import {
  createJob,
  createNamespace,
  deleteNamespace,
  e2eClients,
  numberedLines,
  shellJob,
} from "../testing/e2e-cluster.js";

let clients: KubeClients;
let namespace: string;

beforeAll(async () => {
  clients = e2eClients();
  namespace = await createNamespace(clients, "k8srt-restart");
});

afterAll(async () => {
  if (clients && namespace) await deleteNamespace(clients, namespace);
});

async function restartApiserver(): Promise<void> {
  await sandboxCli(["restart", "kube-apiserver"]);
}

describe("API server restarted mid-run (local sandbox provider)", () => {
  it.skipIf(process.env.SANDBOX_PROVIDER !== undefined && process.env.SANDBOX_PROVIDER !== "local")(
    "the run survives: watches relist/reconnect, the log resumes, 0 lost, 0 duplicated",
    async () => {
      const n = 600;
      const job = await createJob(
        clients,
        namespace,
        shellJob("restart", { script: numberedLines(n, 0.05) }),
      );
      const lines: LogLine[] = [];
      let restarted: Promise<void> | undefined;
      const result = await runJob(clients, {
        namespace,
        job,
        containerName: "main",
        onLine: (l) => {
          lines.push(l);
          if (lines.length === 100) restarted = restartApiserver();
        },
      });
      await restarted;
      expect(restarted).toBeDefined();
      expect(result.outcome).toMatchObject({ kind: "complete", exitCode: 0 });
      expect(lines.map((l) => l.text)).toEqual(Array.from({ length: n }, (_, i) => `line-${i + 1}`));
      expect(result.logs?.reconnects).toBeGreaterThan(0);
    },
  );
});
