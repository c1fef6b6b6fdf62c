import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { V1Container, V1Job, V1PodSpec } from "@kubernetes/client-node";
import { createClients, type KubeClients } from "../clients.js";
import type { Logger } from "../logger.js";

/** The shell image the sandbox builds and imports into containerd (busybox). Override: E2E_SHELL_IMAGE. */
export const SHELL_IMAGE = process.env.E2E_SHELL_IMAGE ?? "localhost/paperclip-tools:1";

function repoRoot(): string {
  let dir = resolve(import.meta.dirname);
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("repository root not found");
    dir = parent;
  }
  return dir;
}

/** $KUBECONFIG (first entry, as set by the sandbox's global setup) or the sandbox's default path. */
export function e2eKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG?.split(":")[0];
  const path =
    fromEnv || join(process.env.PAPERCLIP_SANDBOX_DIR ?? join(repoRoot(), ".sandbox"), "kubeconfig");
  if (!existsSync(path)) {
    throw new Error(
      `e2e: no kubeconfig at ${path} — run \`pnpm sandbox up\` (or set KUBECONFIG to a real cluster)`,
    );
  }
  return path;
}

export function e2eClients(server?: string): KubeClients {
  const path = e2eKubeconfigPath();
  return createClients({ kind: "file", path, ...(server ? { server } : {}) });
}

export function kubeconfigContent(): string {
  return readFileSync(e2eKubeconfigPath(), "utf8");
}

/** Host and port of the API server, for the fault proxy. */
export function apiserverAddress(clients: KubeClients): { host: string; port: number } {
  const url = new URL(clients.server);
  return { host: url.hostname, port: Number(url.port || 443) };
}

export async function createNamespace(
  clients: KubeClients,
  prefix: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  await clients.core.createNamespace({
    body: { metadata: { name, labels: { "paperclip-k8s/e2e": "k8s-runtime", ...labels } } },
  });
  // The ServiceAccount controller creates "default" asynchronously; pods need it.
  for (let i = 0; i < 100; i += 1) {
    try {
      await clients.core.readNamespacedServiceAccount({ name: "default", namespace: name });
      return name;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return name;
}

export async function deleteNamespace(clients: KubeClients, name: string): Promise<void> {
  await clients.core.deleteNamespace({ name, propagationPolicy: "Background" }).catch(() => {});
}

export interface ShellJobOptions {
  readonly script: string;
  readonly image?: string;
  readonly activeDeadlineSeconds?: number;
  readonly podSpec?: Partial<V1PodSpec>;
  readonly container?: Partial<V1Container>;
  readonly jobSpec?: Partial<V1Job["spec"]>;
}

/** A single-shot Job (backoffLimit 0, restartPolicy Never) running `sh -c script` in container "main". */
export function shellJob(name: string, options: ShellJobOptions): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { "paperclip-k8s/e2e": "k8s-runtime" } },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 600,
      ...(options.activeDeadlineSeconds ? { activeDeadlineSeconds: options.activeDeadlineSeconds } : {}),
      ...options.jobSpec,
      template: {
        metadata: { labels: { "paperclip-k8s/e2e": "k8s-runtime" } },
        spec: {
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 2,
          automountServiceAccountToken: false,
          ...options.podSpec,
          containers: [
            {
              name: "main",
              image: options.image ?? SHELL_IMAGE,
              imagePullPolicy: "IfNotPresent",
              command: ["sh", "-c", options.script],
              ...options.container,
            },
          ],
        },
      },
    },
  };
}

export async function createJob(clients: KubeClients, namespace: string, job: V1Job): Promise<V1Job> {
  return clients.batch.createNamespacedJob({ namespace, body: job });
}

/** `sh` script printing line-1..line-N, `delay` seconds apart, then exiting with `exit`. */
export function numberedLines(n: number, delay = 0.05, exit = 0): string {
  return `i=1; while [ $i -le ${n} ]; do echo line-$i; i=$((i+1)); sleep ${delay}; done; exit ${exit}`;
}

/** A logger that keeps records in memory, for assertions. */
export function memoryLogger(): Logger & {
  records: { level: string; message: string; fields?: Record<string, unknown> }[];
} {
  const records: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      records.push({ level, message, ...(fields ? { fields } : {}) });
    };
  return { records, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
