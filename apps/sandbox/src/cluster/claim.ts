/**
 * One cluster per instance number per machine: the bridge (`pcsbx<n>`), cgroup root and ports are named after
 * the instance, so two state dirs (two checkouts) must never run the same instance. A claim file in /run
 * records which state dir owns an instance; `up` refuses an instance another live cluster owns, and teardown
 * never touches instance-named host resources that belong to someone else.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { LocalClusterConfig } from "./config.js";
import { SandboxError } from "./errors.js";
import { type DaemonRecord, isRunning } from "./processes.js";

export const CLAIM_DIR = "/run/paperclip-sandbox";

export function claimFile(instance: number, dir = CLAIM_DIR): string {
  return join(dir, `instance-${instance}.json`);
}

export function readClaim(instance: number, dir = CLAIM_DIR): string | undefined {
  try {
    return (JSON.parse(readFileSync(claimFile(instance, dir), "utf8")) as { stateDir?: string }).stateDir;
  } catch {
    return undefined;
  }
}

/** True when any recorded daemon of the cluster in `stateDir` still runs. */
export function clusterAlive(stateDir: string): boolean {
  const runDir = join(stateDir, "run");
  if (!existsSync(runDir)) return false;
  for (const name of [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "containerd",
    "kubelet",
  ]) {
    try {
      const record = JSON.parse(readFileSync(join(runDir, `${name}.json`), "utf8")) as DaemonRecord;
      if (isRunning(record)) return true;
    } catch {
      // no record
    }
  }
  return false;
}

/** The state dir of another live cluster that owns this instance, if any. */
export function foreignOwner(config: LocalClusterConfig, dir = CLAIM_DIR): string | undefined {
  const owner = readClaim(config.instance, dir);
  return owner && owner !== config.stateDir && clusterAlive(owner) ? owner : undefined;
}

export function writeClaim(config: LocalClusterConfig, dir = CLAIM_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(claimFile(config.instance, dir), `${JSON.stringify({ stateDir: config.stateDir })}\n`);
}

/** Drops the claim if it is ours. */
export function releaseClaim(config: LocalClusterConfig, dir = CLAIM_DIR): void {
  if (readClaim(config.instance, dir) === config.stateDir)
    rmSync(claimFile(config.instance, dir), { force: true });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Refuses (before anything is created) to start an instance that another cluster uses: a live foreign claim,
 * or its etcd / apiserver port already taken by some other process.
 */
export async function assertInstanceFree(config: LocalClusterConfig, dir = CLAIM_DIR): Promise<void> {
  const hint = "choose another PAPERCLIP_SANDBOX_INSTANCE (0-9), or use that cluster (PAPERCLIP_SANDBOX_DIR)";
  const owner = foreignOwner(config, dir);
  if (owner) {
    throw new SandboxError(
      "sandbox_busy",
      `instance ${config.instance} is in use by the cluster in ${owner}: ${hint}, or stop it with PAPERCLIP_SANDBOX_DIR=${owner} pnpm sandbox down`,
      { field: "PAPERCLIP_SANDBOX_INSTANCE" },
    );
  }
  for (const [name, port] of [
    ["etcd", config.ports.etcdClient],
    ["kube-apiserver", config.ports.apiserver],
  ] as const) {
    if (await portOpen(port)) {
      throw new SandboxError(
        "sandbox_busy",
        `instance ${config.instance}: the ${name} port 127.0.0.1:${port} is already in use by another process; ${hint}`,
        { field: "PAPERCLIP_SANDBOX_INSTANCE" },
      );
    }
  }
}
