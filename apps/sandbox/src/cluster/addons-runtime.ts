/**
 * Starting the add-ons (addons.ts) on a running control plane, idempotently: `up` calls this on a fresh cluster
 * and on a reused one (so a cluster started before the add-ons existed gets them without a restart).
 * Every step checks its result and fails with the component's log tail.
 */
import { Resolver } from "node:dns/promises";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1PersistentVolume,
} from "@kubernetes/client-node";
import {
  ADDON_LABEL,
  APISERVER_BRIDGE,
  apiserverBridgeCommand,
  COREDNS,
  corednsCommand,
  corednsRbac,
  corefile,
  KUBE_PROXY,
  kubeDnsService,
  kubeProxyCommand,
  kubeProxyConfig,
  storageManifests,
  volumeName,
} from "./addons.js";
import type { ComponentCommand } from "./components.js";
import type { LocalClusterConfig, StatePaths } from "./config.js";
import { SandboxError } from "./errors.js";
import { runStreaming } from "./exec.js";
import { httpStatus, waitFor } from "./health.js";
import { claimKubeProxy, kubeProxyChains } from "./iptables.js";
import { type DaemonRecord, isRunning, readDaemon, tailFile } from "./processes.js";
import type { StepLog } from "./provider.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../../scripts/build-addons.sh", import.meta.url));
const FIELD_MANAGER = "paperclip-sandbox";

export interface AddonContext {
  config: LocalClusterConfig;
  paths: StatePaths;
  kc: KubeConfig;
  spawn: (cmd: ComponentCommand) => Promise<DaemonRecord>;
  log: StepLog;
}

/** Builds kube-proxy, coredns and helm into their versioned cache directory unless already there. */
export async function ensureAddonBinaries(config: LocalClusterConfig, log: StepLog): Promise<void> {
  if (existsSync(join(config.addonsBinDir, ".complete"))) return;
  log(`building kube-proxy, coredns and helm into ${config.addonsBinDir} (cold: a few minutes)`);
  await runStreaming(
    "bash",
    [BUILD_SCRIPT, config.k8sVersion, config.corednsVersion, config.helmVersion, config.addonsBinDir],
    log,
  );
}

/** Creates or updates objects with server-side apply (idempotent across `up`s). */
export async function applyManifests(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) {
    await api.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
}

function died(d: DaemonRecord): string | undefined {
  return isRunning(d) ? undefined : `${d.name} exited; last lines of ${d.logFile}:\n${tailFile(d.logFile)}`;
}

async function running(ctx: AddonContext, name: string): Promise<DaemonRecord | undefined> {
  const d = await readDaemon(ctx.paths.run, name);
  return d && isRunning(d) ? d : undefined;
}

/** The API on the bridge address (the `kubernetes` Service's endpoint), proven with an authenticated /readyz. */
export async function ensureApiserverBridge(ctx: AddonContext): Promise<void> {
  const { config, paths } = ctx;
  const record =
    (await running(ctx, APISERVER_BRIDGE)) ??
    (await ctx.spawn(apiserverBridgeCommand(config, process.execPath)));
  const url = `https://${config.bridge.gateway}:${config.ports.apiserver}/readyz`;
  const tls = {
    ca: join(paths.pki, "ca.crt"),
    cert: join(paths.pki, "admin.crt"),
    key: join(paths.pki, "admin.key"),
  };
  await waitFor(
    `kube-apiserver through ${config.bridge.gateway}`,
    async () => (await httpStatus(url, tls)) === 200,
    {
      timeoutMs: 30_000,
      failFast: () => died(record),
    },
  );
}

/** CoreDNS on the bridge address; proven by resolving the kubernetes Service's name through it. */
export async function ensureCoreDns(ctx: AddonContext): Promise<void> {
  const { config, paths } = ctx;
  await applyManifests(ctx.kc, [...corednsRbac(), ...kubeDnsService(config)]);
  let d = await running(ctx, COREDNS);
  if (!d) {
    await writeFile(paths.corefile, corefile(config));
    d = await ctx.spawn(corednsCommand(config, paths));
  }
  const record = d;
  const ready = `http://127.0.0.1:${config.ports.corednsReady}/ready`;
  await waitFor("coredns /ready (kubernetes plugin synced)", async () => (await httpStatus(ready)) === 200, {
    timeoutMs: 60_000,
    failFast: () => died(record),
  });
  const name = `kubernetes.default.svc.${config.clusterDomain}`;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([config.bridge.gateway]);
  const answer = await resolver.resolve4(name).catch((e: Error) => [`error: ${e.message}`]);
  if (!answer.includes(config.serviceIp)) {
    throw new SandboxError(
      "sandbox_component_failed",
      `coredns: ${name} via ${config.bridge.gateway}:53 gave ${JSON.stringify(answer)}, expected ${config.serviceIp}; see ${record.logFile}:\n${tailFile(record.logFile)}`,
    );
  }
}

/**
 * kube-proxy, when this cluster may own the machine's Service rules (iptables chains have fixed names, so only
 * one kube-proxy per machine: the first live cluster to start one). Otherwise logs why Services are not served.
 */
export async function ensureKubeProxy(ctx: AddonContext): Promise<boolean> {
  const { config, paths } = ctx;
  const owner = claimKubeProxy(config);
  if (owner !== config.stateDir) {
    ctx.log(
      `kube-proxy not started: the cluster in ${owner} owns this machine's Service rules (one kube-proxy per machine); ClusterIPs are not served here`,
    );
    return false;
  }
  let d = await running(ctx, KUBE_PROXY);
  if (!d) {
    await writeFile(paths.kubeProxyConfig, kubeProxyConfig(config));
    d = await ctx.spawn(kubeProxyCommand(config, paths));
  }
  const record = d;
  const healthz = `http://127.0.0.1:${config.ports.kubeProxyHealthz}/healthz`;
  await waitFor("kube-proxy /healthz (rules synced)", async () => (await httpStatus(healthz)) === 200, {
    timeoutMs: 60_000,
    failFast: () => died(record),
  });
  // The Services must have their rules: proof that kube-proxy programs this machine's iptables.
  const hasServiceChains = async () => (await kubeProxyChains()).some((c) => c.startsWith("nat/KUBE-SVC-"));
  await waitFor("kube-proxy rules for the kubernetes Service", hasServiceChains, {
    timeoutMs: 60_000,
    intervalMs: 1000,
    failFast: () => died(record),
  }).catch((err: Error) => {
    throw new SandboxError(
      "sandbox_component_failed",
      `${err.message}; last lines of ${record.logFile}:\n${tailFile(record.logFile)}`,
    );
  });
  return true;
}

/**
 * The StorageClass and its volumes; directories world-writable (pods run as any non-root uid). Volumes whose
 * claim is gone (Released) are wiped and made Available again.
 */
export async function ensureStorage(ctx: AddonContext): Promise<void> {
  const { config, paths } = ctx;
  await mkdir(paths.volumes, { recursive: true, mode: 0o755 });
  await ensureVolumes({
    kc: ctx.kc,
    config,
    volumesDir: paths.volumes,
    makeDirs: async (dirs) => {
      for (const dir of dirs) {
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o777);
      }
    },
    wipe: async (dir) => {
      for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
    },
    log: ctx.log,
  });
}

/** Where the node keeps the volume directories, and how to make and wipe them there: the local node or kind's. */
export interface VolumeHost {
  readonly kc: KubeConfig;
  readonly config: LocalClusterConfig;
  readonly volumesDir: string;
  /** Creates the directories, mode 0777. */
  makeDirs(dirs: readonly string[]): Promise<void>;
  /** Empties one directory (a released volume). */
  wipe(dir: string): Promise<void>;
  readonly log: StepLog;
}

/** The StorageClass and its pre-made volumes on any node; released ones are wiped and made Available again. */
export async function ensureVolumes(host: VolumeHost): Promise<void> {
  const { config, volumesDir } = host;
  await host.makeDirs(
    Array.from({ length: config.storage.volumes }, (_, i) => join(volumesDir, volumeName(config, i))),
  );
  await applyManifests(host.kc, storageManifests(config, volumesDir));
  const api = KubernetesObjectApi.makeApiClient(host.kc);
  const list = await api.list<V1PersistentVolume>(
    "v1",
    "PersistentVolume",
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    `${ADDON_LABEL}=storage`,
  );
  for (const pv of list.items.filter((p) => p.status?.phase === "Released")) {
    const dir = pv.spec?.hostPath?.path;
    if (!dir?.startsWith(`${volumesDir}/`)) continue;
    host.log(`recycling ${pv.metadata?.name} (its claim is gone)`);
    await host.wipe(dir);
    await api.patch(
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: pv.metadata?.name },
        spec: { claimRef: null },
      } as KubernetesObject,
      undefined,
      undefined,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    );
  }
}
