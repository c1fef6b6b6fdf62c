import { spawn } from "node:child_process";
import { KubeConfig } from "@kubernetes/client-node";

/** The kubeconfig the global setup exported. */
export function e2eKubeConfig(): KubeConfig {
  const path = process.env.KUBECONFIG;
  if (!path)
    throw new Error("KUBECONFIG not set: run these suites through vitest.e2e.config.ts (its global setup)");
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the first stdout bytes arrived (undefined when there were none). */
  firstOutputAt: Date | undefined;
  endedAt: Date;
}

/** Runs a command to completion, collecting output (no shell). */
export function runProcess(cmd: string, args: string[], timeoutMs = 300_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let firstOutputAt: Date | undefined;
    child.stdout.on("data", (d: Buffer) => {
      firstOutputAt ??= new Date();
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`${cmd} ${args.join(" ")} did not end within ${timeoutMs} ms; stdout so far:\n${stdout}`),
      );
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, firstOutputAt, endedAt: new Date() });
    });
  });
}
