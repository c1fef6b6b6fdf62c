import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuiltImage, ensureImages, importImage, listImages } from "../images/index.js";
import {
  type AddonContext,
  ensureAddonBinaries,
  ensureApiserverBridge,
  ensureCoreDns,
  ensureKubeProxy,
  ensureStorage,
} from "./addons-runtime.js";
import { assertInstanceFree, readClaim, writeClaim } from "./claim.js";
import {
  apiserverCommand,
  type ComponentCommand,
  containerdCommand,
  containerdConfig,
  controllerManagerCommand,
  etcdCommand,
  kubeletCommand,
  kubeletConfig,
  schedulerCommand,
} from "./components.js";
import { type LocalClusterConfig, type StatePaths, statePaths } from "./config.js";
import { SandboxError } from "./errors.js";
import { findCommand, runStreaming } from "./exec.js";
import { httpStatus, waitFor } from "./health.js";
import { assertHostSupported, ensureHostPackages, readSysctls, restoreSysctls } from "./host.js";
import { writeIdentity } from "./identity.js";
import { foreignKubeProxyOwner } from "./iptables.js";
import { defaultServiceAccountExists, loadKubeConfig, nodeReady } from "./kube.js";
import { withLock } from "./lock.js";
import { ensureBridge, writeCniConfig } from "./network.js";
import {
  allowSpawning,
  type DaemonRecord,
  isRunning,
  listDaemons,
  readDaemon,
  startDaemon,
  tailFile,
} from "./processes.js";
import type { ClusterProvider, ClusterStatus, Step, StepLog, UpContext } from "./provider.js";
import { findLeftovers, MOUNT_NS_FILE, mountNamespace, teardown } from "./teardown.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../../scripts/build-k8s.sh", import.meta.url));
/** The core: a cluster whose core runs is reused (the add-on steps then start whatever add-on is missing). */
const COMPONENTS = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "containerd",
  "kubelet",
];
const ADDONS = ["apiserver-bridge", "coredns", "kube-proxy"];
/** Kept across `down`: identity (so copied kubeconfigs stay valid) and logs (for post-mortems). */
const KEPT_ON_DOWN = new Set(["pki", "logs", "kubeconfig", "lock"]);

/** "kind without Docker": real control plane + one real kubelet on containerd/runc, all children of the sandbox. */
export class LocalProvider implements ClusterProvider {
  readonly name = "local" as const;
  private readonly paths: StatePaths;
  /** Filled by the image build step, read by the import step. */
  private images: BuiltImage[] = [];

  constructor(readonly config: LocalClusterConfig) {
    this.paths = statePaths(config);
  }

  kubeconfigPath(): string {
    return this.config.kubeconfigPath;
  }

  upSteps(): Step[] {
    // Steps marked `fresh` only run when no healthy cluster is reused; the image steps always run (cheap when
    // cached), so a reused cluster still gets an image it lacks, e.g. for another SANDBOX_CLAUDE_VERSIONS.
    const fresh = (step: Step): Step => ({ ...step, enabled: (ctx) => !ctx.reused });
    return [
      { title: "Check the host", run: (_ctx, log) => this.checkHost(log) },
      { title: "Reuse a running cluster", run: (ctx, log) => this.detectRunning(ctx, log) },
      fresh({
        title: `Kubernetes ${this.config.k8sVersion} + etcd ${this.config.etcdVersion} binaries`,
        run: (_ctx, log) => this.ensureBinaries(log),
      }),
      // Always (cheap when cached): a reused cluster's tests need helm too.
      {
        title: "kube-proxy, CoreDNS, helm binaries",
        run: (_ctx, log) => ensureAddonBinaries(this.config, log),
      },
      {
        title: "Build images (pause, tools, claude)",
        run: async (_ctx, log) => {
          this.images = await ensureImages(this.config, log);
        },
      },
      fresh({ title: "Certificates and kubeconfigs", run: () => this.writeIdentity() }),
      fresh({ title: "Host network (bridge, CNI) and cgroups", run: () => this.prepareHost() }),
      fresh({ title: "etcd", run: () => this.startEtcd() }),
      fresh({ title: "kube-apiserver", run: () => this.startApiserver() }),
      fresh({ title: "kube-controller-manager and kube-scheduler", run: () => this.startControllers() }),
      fresh({ title: "containerd", run: () => this.startContainerd() }),
      { title: "Import images into containerd", run: (_ctx, log) => this.importImages(this.images, log) },
      fresh({ title: "kubelet (node Ready)", run: () => this.startKubelet() }),
      {
        title: "kube-apiserver on the bridge address (kubernetes Service)",
        run: (ctx, log) => this.addons(ctx, log, ensureApiserverBridge),
      },
      { title: "CoreDNS (cluster DNS)", run: (ctx, log) => this.addons(ctx, log, ensureCoreDns) },
      { title: "kube-proxy (Services)", run: (ctx, log) => this.addons(ctx, log, ensureKubeProxy) },
      { title: "Storage (ReadWriteMany volumes)", run: (ctx, log) => this.addons(ctx, log, ensureStorage) },
    ];
  }

  downSteps(): Step<object>[] {
    return [{ title: "Stop the cluster and clean the host", run: (_ctx, log) => this.stopAndClean(log) }];
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.paths.lock, 900_000, fn);
  }

  private stopping: Promise<void> | undefined;

  /**
   * Stops everything, verifies nothing is left, restores kernel settings, removes the cluster's data.
   * Concurrent callers (an interrupted `up` and its own failure path) share one teardown.
   */
  stopAndClean(log: StepLog = () => {}): Promise<void> {
    this.stopping ??= this.stopAndCleanOnce(log).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async stopAndCleanOnce(log: StepLog): Promise<void> {
    const left = await teardown(this.config, log);
    const saved = await readFile(this.paths.hostState, "utf8").catch(() => undefined);
    if (saved) await restoreSysctls(JSON.parse(saved) as Record<string, string>);
    const leftCount = left.processes.length + left.mounts.length;
    if (leftCount > 0) {
      // Never delete a directory that may still have something mounted in it.
      throw new SandboxError(
        "sandbox_component_failed",
        `teardown left ${JSON.stringify(left)}; state kept in ${this.config.stateDir}`,
      );
    }
    await this.wipeState();
  }

  async status(): Promise<ClusterStatus> {
    const components: ClusterStatus["components"] = [];
    const proxyOwner = foreignKubeProxyOwner(this.config);
    const predates = !existsSync(join(this.paths.run, "coredns.json"));
    for (const name of [...COMPONENTS, ...ADDONS]) {
      const d = await readDaemon(this.paths.run, name);
      // An add-on without a record is absent by design: say why, and do not count it against `running`.
      let note: string | undefined;
      if (!d && name === "kube-proxy" && proxyOwner !== undefined)
        note = `not started: the cluster in ${proxyOwner} owns this machine's kube-proxy`;
      else if (!d && ADDONS.includes(name) && predates)
        note = "not started: this cluster predates the add-ons (`down` then `up` adds them)";
      components.push({
        name,
        running: d ? isRunning(d) : false,
        ...(d ? { pid: d.pid, log: d.logFile } : {}),
        ...(note ? { note } : {}),
      });
    }
    const running = components.every((c) => c.running || c.note) && (await this.apiserverReady());
    const ready =
      running && (await nodeReady(loadKubeConfig(this.config.kubeconfigPath), this.config.nodeName));
    return {
      provider: "local",
      running,
      nodeReady: ready,
      kubeconfigPath: this.config.kubeconfigPath,
      hostAddressForPods: this.config.bridge.gateway,
      components,
      leftovers: await findLeftovers(this.config),
    };
  }

  // ---- steps -------------------------------------------------------------------------------------------

  private async checkHost(log: StepLog): Promise<void> {
    assertHostSupported();
    const installed = await ensureHostPackages(log);
    if (installed.length > 0) log(`installed ${installed.join(", ")}`);
  }

  private async detectRunning(ctx: UpContext, log: StepLog): Promise<void> {
    const daemons = await listDaemons(this.paths.run);
    const allUp = COMPONENTS.every((n) => daemons.some((d) => d.name === n && isRunning(d)));
    if (allUp && existsSync(this.config.kubeconfigPath)) {
      // Every process runs: give a busy (or briefly restarting) apiserver and node time before judging them.
      const kc = loadKubeConfig(this.config.kubeconfigPath);
      const healthy = await waitFor(
        "running cluster",
        async () => (await this.apiserverReady()) && (await nodeReady(kc, this.config.nodeName)),
        { timeoutMs: 90_000, intervalMs: 1000 },
      ).then(
        () => true,
        () => false,
      );
      if (healthy) {
        if (readClaim(this.config.instance) === undefined) writeClaim(this.config);
        ctx.reused = true;
        log("healthy cluster found: reusing it");
        return;
      }
    }
    if (daemons.length > 0) {
      log("stale or partial cluster found: cleaning it up first");
      await this.stopAndClean(log);
    }
    await assertInstanceFree(this.config);
    writeClaim(this.config);
    allowSpawning();
  }

  private async ensureBinaries(log: StepLog): Promise<void> {
    if (existsSync(join(this.config.binDir, ".complete"))) return;
    log(`building into ${this.config.binDir} (cold: several minutes)`);
    await runStreaming(
      "bash",
      [BUILD_SCRIPT, this.config.k8sVersion, this.config.etcdVersion, this.config.binDir],
      log,
    );
  }

  private writeIdentity(): Promise<void> {
    return writeIdentity(this.config, this.paths);
  }

  /**
   * An add-on step. On a reused cluster it only restarts add-ons that cluster was started with: one started
   * before the add-ons existed is left exactly as it is (it may be in use); `down` + `up` gives it the add-ons.
   */
  private async addons(
    ctx: UpContext,
    log: StepLog,
    step: (ctx: AddonContext) => Promise<unknown>,
  ): Promise<void> {
    if (ctx.reused && !existsSync(join(this.paths.run, "coredns.json"))) {
      log(
        "running cluster predates the add-ons (no CoreDNS record): left as it is; `down` then `up` adds them",
      );
      return;
    }
    const kc = loadKubeConfig(this.config.kubeconfigPath);
    await step({ config: this.config, paths: this.paths, kc, spawn: (c) => this.spawn(c), log });
  }

  private async prepareHost(): Promise<void> {
    const { config, paths } = this;
    if (!existsSync(paths.hostState)) {
      await writeFile(paths.hostState, `${JSON.stringify(await readSysctls(), null, 2)}\n`);
    }
    await ensureBridge(config.bridge);
    await writeCniConfig(
      paths.cniConfDir,
      config.cniNetwork,
      config.bridge,
      paths.cniIpamDir,
      config.serviceCidr,
    );
    // cgroupfs driver on cgroup v1: the kubelet wants its cgroup root to exist in every hierarchy.
    for (const controller of [
      "blkio",
      "cpu",
      "cpuacct",
      "cpuset",
      "devices",
      "freezer",
      "memory",
      "pids",
      "hugetlb",
      "systemd",
    ]) {
      const base = `/sys/fs/cgroup/${controller}`;
      if (existsSync(base)) await mkdir(join(base, config.cgroupRoot), { recursive: true });
    }
    for (const dir of [
      paths.podLogs,
      paths.kubeletRoot,
      paths.etcdData,
      paths.containerdRoot,
      paths.containerdState,
    ]) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
  }

  private async startEtcd(): Promise<void> {
    const d = await this.spawn(etcdCommand(this.config, this.paths));
    await this.waitHttp(d, `http://127.0.0.1:${this.config.ports.etcdClient}/health`, {}, 60_000);
  }

  private async startApiserver(): Promise<void> {
    const d = await this.spawn(apiserverCommand(this.config, this.paths));
    await waitFor("kube-apiserver /readyz", () => this.apiserverReady(), {
      timeoutMs: 120_000,
      failFast: () => this.died(d),
    });
  }

  private async startControllers(): Promise<void> {
    const kcm = await this.spawn(controllerManagerCommand(this.config, this.paths));
    const sched = await this.spawn(schedulerCommand(this.config));
    await this.waitHttp(kcm, `https://127.0.0.1:${this.config.ports.controllerManager}/healthz`, {}, 90_000);
    await this.waitHttp(sched, `https://127.0.0.1:${this.config.ports.scheduler}/healthz`, {}, 90_000);
  }

  private async startContainerd(): Promise<void> {
    const containerd = findCommand("containerd");
    const runc = findCommand("runc");
    if (!containerd || !runc)
      throw new SandboxError("sandbox_host_unsupported", "containerd or runc not found on PATH");
    await writeFile(this.paths.containerdConfig, containerdConfig(this.config, this.paths, runc));
    const d = await this.spawn(containerdCommand(this.paths, containerd));
    await waitFor("containerd socket", () => existsSync(this.paths.containerdSocket), {
      timeoutMs: 60_000,
      failFast: () => this.died(d),
    });
    const ns = mountNamespace(d.pid);
    if (ns) await writeFile(join(this.paths.run, MOUNT_NS_FILE), ns);
  }

  private async importImages(images: BuiltImage[], log: StepLog): Promise<void> {
    const present = new Set(await listImages(this.paths.containerdSocket));
    for (const image of images) {
      if (present.has(image.ref)) continue;
      log(`importing ${image.ref}`);
      await importImage(this.paths.containerdSocket, image.archive, image.ref);
    }
  }

  private async startKubelet(): Promise<void> {
    await writeFile(this.paths.kubeletConfig, kubeletConfig(this.config, this.paths));
    const containerd = await readDaemon(this.paths.run, "containerd");
    if (!containerd || !isRunning(containerd)) {
      throw new SandboxError(
        "sandbox_component_failed",
        "containerd is not running; cannot start the kubelet",
      );
    }
    const d = await this.spawn(kubeletCommand(this.config, this.paths, containerd.pid));
    const kc = loadKubeConfig(this.config.kubeconfigPath);
    await waitFor(`node ${this.config.nodeName} Ready`, () => nodeReady(kc, this.config.nodeName), {
      timeoutMs: 180_000,
      intervalMs: 500,
      failFast: () => this.died(d) ?? this.died(containerd),
    });
    await waitFor("default ServiceAccount", () => defaultServiceAccountExists(kc), { timeoutMs: 60_000 });
  }

  // ---- helpers -----------------------------------------------------------------------------------------

  private spawn(cmd: ComponentCommand): Promise<DaemonRecord> {
    return startDaemon(this.paths.run, this.paths.logs, cmd);
  }

  private died(d: DaemonRecord): string | undefined {
    return isRunning(d) ? undefined : `${d.name} exited; last lines of ${d.logFile}:\n${tailFile(d.logFile)}`;
  }

  private async waitHttp(
    d: DaemonRecord,
    url: string,
    tls: { ca?: string },
    timeoutMs: number,
  ): Promise<void> {
    await waitFor(`${d.name} ${url}`, async () => (await httpStatus(url, tls)) === 200, {
      timeoutMs,
      failFast: () => this.died(d),
    });
  }

  private async apiserverReady(): Promise<boolean> {
    const pki = this.paths.pki;
    if (!existsSync(join(pki, "admin.crt"))) return false;
    const status = await httpStatus(`https://127.0.0.1:${this.config.ports.apiserver}/readyz`, {
      ca: join(pki, "ca.crt"),
      cert: join(pki, "admin.crt"),
      key: join(pki, "admin.key"),
    });
    return status === 200;
  }

  private async wipeState(): Promise<void> {
    for (const entry of await readdir(this.config.stateDir).catch(() => [] as string[])) {
      if (KEPT_ON_DOWN.has(entry)) continue;
      await rm(join(this.config.stateDir, entry), { recursive: true, force: true });
    }
  }
}
