import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { imageRecipes } from "../images/index.js";
import { ensureImageArchive } from "../images/oci.js";
import type { LocalClusterConfig } from "./config.js";
import { run } from "./exec.js";
import { ensureHostPackages, KIND_HOST_REQUIREMENTS } from "./host.js";
import {
  type DockerEngineConfig,
  engineLeftoverMounts,
  engineLeftoverProcesses,
  startOwnEngine,
  stopOwnEngine,
} from "./kind-docker.js";
import { recordHostSysctls, restoreHostSysctls } from "./kind-host.js";
import { ensureKindArchive } from "./kind-images.js";
import {
  ensureKindBinaries,
  ensureNodeImage,
  KIND_POD_SUBNET,
  KIND_SERVICE_SUBNET,
  kindBinary,
} from "./kind-node.js";
import { ensureKindStorage } from "./kind-storage.js";
import { loadKubeConfig, nodeReady } from "./kube.js";
import { withLock } from "./lock.js";
import type { ClusterProvider, ClusterStatus, Step, StepLog } from "./provider.js";

/**
 * Upstream's kind node image pinned by digest (kind v0.32.0's default), for maintainers with a registry:
 * SANDBOX_KIND_NODE_IMAGE=upstream. Without it the sandbox builds its own node image offline (kind-node.ts).
 */
export const KIND_NODE_IMAGE =
  "kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5";
export const KIND_CLUSTER_NAME = "paperclip-sandbox";
/** The Docker network of the kind node (a user-defined bridge, removed on `down` when the sandbox owns the engine). */
export const KIND_NETWORK = "paperclip-kind";

export interface KindOptions {
  config: LocalClusterConfig;
  clusterName?: string;
  /** `upstream` (KIND_NODE_IMAGE), another image reference, or undefined: the sandbox-built node image. */
  nodeImage?: string;
  /** DOCKER_HOST of an engine to use; undefined: the default engine if one answers, else the sandbox's own. */
  dockerHost?: string;
}

/** The kind cluster config: one control-plane node; our node image brings a static CNI config instead of kindnet. */
export function kindClusterConfig(opts: { builtNodeImage: boolean }): string {
  return [
    "kind: Cluster",
    "apiVersion: kind.x-k8s.io/v1alpha4",
    "networking:",
    "  ipFamily: ipv4",
    `  podSubnet: ${KIND_POD_SUBNET}`,
    `  serviceSubnet: ${KIND_SERVICE_SUBNET}`,
    ...(opts.builtNodeImage ? ["  disableDefaultCNI: true"] : []),
    "nodes:",
    "- role: control-plane",
    "",
  ].join("\n");
}

export function kindCreateArgs(
  name: string,
  image: string,
  configFile: string,
  kubeconfig: string,
): string[] {
  return [
    "create",
    "cluster",
    "--name",
    name,
    "--image",
    image,
    "--config",
    configFile,
    "--kubeconfig",
    kubeconfig,
    "--wait",
    "180s",
  ];
}

export function kindDeleteArgs(name: string, kubeconfig: string): string[] {
  return ["delete", "cluster", "--name", name, "--kubeconfig", kubeconfig];
}

export function kindLoadArgs(name: string, archive: string): string[] {
  return ["load", "image-archive", archive, "--name", name];
}

/** Environment of every docker/kind command: the engine's socket and the node network, for that command only. */
export function kindEnv(dockerHost: string): NodeJS.ProcessEnv {
  return { DOCKER_HOST: dockerHost, KIND_EXPERIMENTAL_DOCKER_NETWORK: KIND_NETWORK };
}

/** kind on a Docker engine: the sandbox's own (started by `up`, stopped by `down`) unless one already answers. */
export class KindProvider implements ClusterProvider {
  readonly name = "kind" as const;
  private readonly config: LocalClusterConfig;
  private readonly clusterName: string;
  readonly engine: DockerEngineConfig;
  private host: string | undefined;

  constructor(private readonly opts: KindOptions) {
    this.config = opts.config;
    this.clusterName = opts.clusterName ?? KIND_CLUSTER_NAME;
    const state = join(this.config.stateDir, "kind");
    this.engine = {
      runDir: "/run/paperclip-kind",
      dataRoot: join(this.config.cacheDir, "kind-docker"),
      logDir: join(state, "logs"),
    };
  }

  private get stateDir(): string {
    return join(this.config.stateDir, "kind");
  }

  private get sysctlFile(): string {
    return join(this.stateDir, "host-sysctls.json");
  }

  /** The host bridge of the node network (recorded at `up`, checked for after `down`). */
  private get bridgeFile(): string {
    return join(this.stateDir, "network-bridge");
  }

  kubeconfigPath(): string {
    return join(this.stateDir, "kubeconfig");
  }

  /**
   * `up` and `down` one at a time on this machine: the Docker engine (its run dir and data root) and the cluster
   * name are machine-wide, so the lock is too (in the cache dir every clone shares), not per checkout.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(join(this.config.cacheDir, "kind-sandbox.lock"), 900_000, fn);
  }

  private get builtNodeImage(): boolean {
    return this.opts.nodeImage === undefined;
  }

  /** The engine to talk to: an explicit one, the default if it answers, else the sandbox's own socket. */
  private async dockerHost(): Promise<{ host: string; own: boolean }> {
    if (this.opts.dockerHost) return { host: this.opts.dockerHost, own: false };
    const ownHost = `unix://${join(this.engine.runDir, "docker.sock")}`;
    if (existsSync(join(this.engine.runDir, "dockerd.json"))) return { host: ownHost, own: true };
    const def = await run("docker", ["info", "--format", "{{.ServerVersion}}"], {
      allowFailure: true,
      timeoutMs: 10_000,
    }).catch(() => ({ code: 1 }));
    if (def.code === 0) return { host: process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock", own: false };
    return { host: ownHost, own: true };
  }

  private async kind(args: string[], host: string, allowFailure = false) {
    const bin = existsSync(kindBinary(this.config)) ? kindBinary(this.config) : "kind";
    return run(bin, args, { env: kindEnv(host), allowFailure, timeoutMs: 900_000 });
  }

  private async clusterExists(host: string): Promise<boolean> {
    const r = await this.kind(["get", "clusters"], host, true);
    return r.code === 0 && r.stdout.split("\n").includes(this.clusterName);
  }

  upSteps(): Step[] {
    const fresh = (step: Step): Step => ({ ...step, enabled: (ctx) => !ctx.reused });
    return [
      {
        title: "Host packages (docker.io, debootstrap)",
        run: async (_ctx, log) => {
          const done = await ensureHostPackages(log, KIND_HOST_REQUIREMENTS);
          if (done.length > 0) log(`installed ${done.join(", ")}`);
        },
      },
      {
        title: "Docker engine",
        run: async (_ctx, log) => {
          const { host, own } = await this.dockerHost();
          this.host = own ? await startOwnEngine(this.engine, log) : host;
          log(`${own ? "sandbox engine" : "existing engine"} at ${this.host}`);
        },
      },
      {
        title: "Reuse a running kind cluster",
        run: async (ctx) => {
          ctx.reused = await this.clusterExists(this.mustHost());
          if (ctx.reused) await this.writeKubeconfig();
        },
      },
      fresh({ title: "Record host kernel settings", run: () => recordHostSysctls(this.sysctlFile) }),
      {
        title: "kind, kubeadm, kubelet, control plane, CoreDNS binaries",
        enabled: (ctx) => !ctx.reused && this.builtNodeImage,
        run: (_ctx, log) => ensureKindBinaries(this.config, log),
      },
      fresh({
        title: "kind cluster",
        run: async (_ctx, log) => {
          const image = await this.nodeImage(log);
          const dir = await mkdtemp(join(tmpdir(), "sandbox-kind-"));
          try {
            const file = join(dir, "kind.yaml");
            await writeFile(file, kindClusterConfig({ builtNodeImage: this.builtNodeImage }));
            await mkdir(dirname(this.kubeconfigPath()), { recursive: true });
            log(`kind create cluster --image ${image}`);
            await this.kind(
              kindCreateArgs(this.clusterName, image, file, this.kubeconfigPath()),
              this.mustHost(),
            );
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      }),
      { title: "Images (pause-free: tools, claude) via kind load", run: (_ctx, log) => this.loadImages(log) },
      { title: "Storage (ReadWriteMany volumes)", run: (_ctx, log) => this.storage(log) },
    ];
  }

  /** The local provider's StorageClass and pre-made volumes, the directories inside the node container. */
  private async storage(log: StepLog): Promise<void> {
    await ensureKindStorage({
      kc: loadKubeConfig(this.kubeconfigPath()),
      config: this.config,
      inNode: async (args) => {
        await run("docker", ["exec", this.nodeContainer(), ...args], { env: kindEnv(this.mustHost()) });
      },
      log,
    });
  }

  private mustHost(): string {
    if (!this.host) throw new Error("kind provider: no Docker engine selected yet");
    return this.host;
  }

  private async nodeImage(log: StepLog): Promise<string> {
    if (this.opts.nodeImage === "upstream") return KIND_NODE_IMAGE;
    if (this.opts.nodeImage) return this.opts.nodeImage;
    return ensureNodeImage(this.config, this.mustHost(), log);
  }

  private async writeKubeconfig(): Promise<void> {
    await mkdir(dirname(this.kubeconfigPath()), { recursive: true });
    const r = await this.kind(["get", "kubeconfig", "--name", this.clusterName], this.mustHost());
    await writeFile(this.kubeconfigPath(), r.stdout);
  }

  private nodeContainer(): string {
    return `${this.clusterName}-control-plane`;
  }

  /** Images the node's containerd already has (k8s.io namespace). */
  private async nodeImages(): Promise<string[]> {
    const r = await run(
      "docker",
      ["exec", this.nodeContainer(), "ctr", "-n", "k8s.io", "images", "ls", "-q"],
      {
        env: kindEnv(this.mustHost()),
      },
    );
    return r.stdout.split("\n").filter(Boolean);
  }

  private async loadImages(log: StepLog): Promise<void> {
    const have = new Set(await this.nodeImages());
    for (const recipe of await imageRecipes(this.config)) {
      if (recipe.ref === this.config.images.pause || have.has(recipe.ref)) continue;
      const archive = await ensureKindArchive(
        await ensureImageArchive(this.config.cacheDir, recipe),
        recipe.ref,
      );
      log(`kind load image-archive ${recipe.ref}`);
      await this.kind(kindLoadArgs(this.clusterName, archive), this.mustHost());
    }
  }

  /** Loads one more archive (e.g. the Paperclip image) into the node under `ref`. */
  async loadArchive(archive: string, ref: string): Promise<void> {
    if (!this.host) this.host = (await this.dockerHost()).host;
    if ((await this.nodeImages()).includes(ref)) return;
    await this.kind(kindLoadArgs(this.clusterName, await ensureKindArchive(archive, ref)), this.host);
  }

  /** What a stopped sandbox engine left: processes, mounts, the node network's bridge, unrestored sysctls. */
  private async leftovers() {
    const bridge = existsSync(this.bridgeFile) ? (await readFile(this.bridgeFile, "utf8")).trim() : "";
    const links = bridge ? await existingLinks([bridge]) : [];
    if (links.length === 0) await rm(this.bridgeFile, { force: true });
    return {
      processes: await engineLeftoverProcesses(this.engine),
      mounts: await engineLeftoverMounts(this.engine),
      links,
      cgroups: [],
      iptables: [],
      sysctls: existsSync(this.sysctlFile) ? [`not restored yet: ${this.sysctlFile}`] : [],
    };
  }

  downSteps(): Step<object>[] {
    let sel: { host: string; own: boolean } | undefined;
    return [
      {
        title: "Delete the kind cluster",
        run: async (_ctx, log) => {
          sel = await this.dockerHost();
          const ownStopped = sel.own && !existsSync(join(this.engine.runDir, "dockerd.json"));
          if (ownStopped) return;
          if (await this.clusterExists(sel.host)) {
            log(`kind delete cluster --name ${this.clusterName}`);
            await this.kind(kindDeleteArgs(this.clusterName, this.kubeconfigPath()), sel.host);
          }
          if (sel.own)
            await run("docker", ["network", "rm", KIND_NETWORK], {
              env: kindEnv(sel.host),
              allowFailure: true,
            });
        },
      },
      {
        title: "Stop the sandbox's Docker engine",
        enabled: () => sel?.own === true,
        run: (_ctx, log) => stopOwnEngine(this.engine, log),
      },
      {
        title: "Restore host kernel settings",
        run: async (_ctx, log) => {
          const restored = await restoreHostSysctls(this.sysctlFile);
          if (restored.length > 0) log(`restored ${restored.join(" ")}`);
          await rm(this.kubeconfigPath(), { force: true });
        },
      },
    ];
  }

  async status(): Promise<ClusterStatus> {
    const sel = await this.dockerHost();
    const engineUp = !sel.own || existsSync(join(this.engine.runDir, "dockerd.json"));
    const running = engineUp && (await this.clusterExists(sel.host).catch(() => false));
    const gateway = running ? await networkGateway(sel.host) : undefined;
    return {
      provider: "kind",
      running,
      nodeReady: running && (await anyNodeReady(this.kubeconfigPath())),
      kubeconfigPath: this.kubeconfigPath(),
      ...(gateway ? { hostAddressForPods: gateway } : {}),
      components: [
        {
          name: "dockerd",
          running: engineUp,
          note: sel.own ? "the sandbox's own engine" : `existing engine ${sel.host}`,
        },
      ],
      ...(engineUp ? {} : { leftovers: await this.leftovers() }),
    };
  }
}

/** Interfaces that exist among `names` (`ip link show dev`). */
async function existingLinks(names: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) {
    const r = await run("ip", ["link", "show", "dev", n], { allowFailure: true });
    if (r.code === 0) out.push(n);
  }
  return out;
}

/**
 * The host's address on the node network (its gateway): pods reach it through the node, whose ptp CNI config
 * masquerades pod traffic leaving the pod subnet to the node's address, so the host needs no route and no NAT.
 */
export async function networkGateway(host: string): Promise<string | undefined> {
  const r = await run("docker", ["network", "inspect", KIND_NETWORK, "--format", "{{json .IPAM.Config}}"], {
    env: kindEnv(host),
    allowFailure: true,
  });
  if (r.code !== 0) return undefined;
  const cfg = JSON.parse(r.stdout) as { Gateway?: string }[];
  return cfg.map((c) => c.Gateway).find((g) => g?.includes("."));
}

/** True when at least one node of the cluster in `kubeconfigPath` is Ready. */
export async function anyNodeReady(kubeconfigPath: string): Promise<boolean> {
  try {
    const kc = loadKubeConfig(kubeconfigPath);
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    for (const n of nodes.items) if (n.metadata?.name && (await nodeReady(kc, n.metadata.name))) return true;
    return false;
  } catch {
    return false;
  }
}
