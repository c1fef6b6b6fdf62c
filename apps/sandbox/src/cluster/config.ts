import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { CLAUDE_CLI_VERSIONS } from "@paperclip-k8s/testing";
import { SandboxError } from "./errors.js";

/** Pinned versions: Kubernetes 1.34 is the newest whose kubelet still starts on a cgroup v1 host without opting out. */
export const K8S_VERSION = "1.34.4";
export const ETCD_VERSION = "3.6.16";
/** CoreDNS (cluster DNS, a host process like the control plane) and helm (chart tests): built from their Go modules. */
export const COREDNS_VERSION = "1.15.0";
export const HELM_VERSION = "4.3.2";
/** The claude CLI versions the harness tests (one 1.0.x, one 2.0.x, the newest 2.1.x): one image each. */
export const DEFAULT_CLAUDE_VERSIONS: readonly string[] = CLAUDE_CLI_VERSIONS;

export interface BridgeConfig {
  /** Linux bridge device the CNI bridge plugin attaches pods to. */
  name: string;
  subnet: string;
  gateway: string;
  prefixLength: number;
}

export interface Ports {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
  corednsHealth: number;
  corednsReady: number;
}

/** Pre-made ReadWriteMany volumes (hostPath directories in the state dir) behind one StorageClass. */
export interface StorageConfig {
  className: string;
  volumes: number;
  /** Nominal capacity of each volume (hostPath has no quota). */
  capacity: string;
}

export interface ImageNames {
  pause: string;
  tools: string;
  claude: (cliVersion: string) => string;
}

/** Everything the local provider needs, resolved once at the edge. */
export interface LocalClusterConfig {
  /** Runtime state: PKI, etcd data, containerd root, kubelet root, logs, pid files. */
  stateDir: string;
  /** Admin kubeconfig that tests and tools use. */
  kubeconfigPath: string;
  /** Long-lived caches (binaries, image tarballs) outside the repo. */
  cacheDir: string;
  k8sVersion: string;
  etcdVersion: string;
  binDir: string;
  /** kube-proxy, coredns and helm, built by scripts/build-addons.sh. */
  addonsBinDir: string;
  corednsVersion: string;
  helmVersion: string;
  nodeName: string;
  bridge: BridgeConfig;
  serviceCidr: string;
  serviceIp: string;
  /** ClusterIP of the kube-dns Service (selectorless; its endpoint is CoreDNS on the bridge address). */
  dnsServiceIp: string;
  clusterDomain: string;
  ports: Ports;
  /** cgroup (v1, cgroupfs driver) under which the kubelet creates `kubepods`; removed on teardown. */
  cgroupRoot: string;
  /** CNI network name (also names libcni's result cache files). */
  cniNetwork: string;
  /** 0 for the shared cluster; other instances (e2e lifecycle test) use their own ports, bridge and cgroups. */
  instance: number;
  images: ImageNames;
  claudeVersions: string[];
  storage: StorageConfig;
}

/** The repository root: the nearest ancestor holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new SandboxError(
        "sandbox_config_invalid",
        `no pnpm-workspace.yaml above ${from}: run the sandbox from inside the repository or set PAPERCLIP_SANDBOX_DIR`,
        { field: "cwd" },
      );
    }
    dir = parent;
  }
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAPERCLIP_K8S_CACHE_DIR ?? env.PAPERCLIP_K8S_CACHE ?? join(homedir(), ".cache", "paperclip-k8s");
}

function parseInstance(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 9) {
    throw new SandboxError(
      "sandbox_config_invalid",
      `PAPERCLIP_SANDBOX_INSTANCE: "${raw}" is not an integer 0-9`,
      {
        field: "PAPERCLIP_SANDBOX_INSTANCE",
      },
    );
  }
  return n;
}

const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

function parseVersions(raw: string | undefined, field: string): string[] {
  if (raw === undefined || raw.trim() === "") return [...DEFAULT_CLAUDE_VERSIONS];
  const versions = raw
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
  for (const v of versions) {
    if (!VERSION.test(v)) {
      throw new SandboxError(
        "sandbox_config_invalid",
        `${field}: "${v}" is not an exact version like 2.1.330`,
        { field },
      );
    }
  }
  return versions;
}

/**
 * Resolves the local cluster configuration. Environment overrides:
 * PAPERCLIP_SANDBOX_DIR (state dir, default `<repo>/.sandbox`), PAPERCLIP_K8S_CACHE_DIR (cache),
 * SANDBOX_CLAUDE_VERSIONS (comma-separated claude CLI versions to build images for),
 * PAPERCLIP_SANDBOX_INSTANCE (0-9: a second, independent cluster with its own ports, bridge and cgroups).
 */
export function resolveLocalConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): LocalClusterConfig {
  const n = parseInstance(env.PAPERCLIP_SANDBOX_INSTANCE);
  const suffix = n === 0 ? "" : `-${n}`;
  const state = env.PAPERCLIP_SANDBOX_DIR
    ? resolve(env.PAPERCLIP_SANDBOX_DIR)
    : join(findRepoRoot(cwd), `.sandbox${suffix}`);
  // containerd's socket lives in the state dir; unix socket paths are limited to 107 bytes.
  if (join(state, "containerd", "containerd.sock").length > 100) {
    throw new SandboxError(
      "sandbox_config_invalid",
      `PAPERCLIP_SANDBOX_DIR: state directory path ${state} is too long for a unix socket; choose a shorter one`,
      { field: "PAPERCLIP_SANDBOX_DIR" },
    );
  }
  const cacheDir = defaultCacheDir(env);
  return {
    stateDir: state,
    kubeconfigPath: join(state, "kubeconfig"),
    cacheDir,
    k8sVersion: K8S_VERSION,
    etcdVersion: ETCD_VERSION,
    binDir: join(cacheDir, `k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}`),
    addonsBinDir: join(cacheDir, `addons-k8s-${K8S_VERSION}-coredns-${COREDNS_VERSION}-helm-${HELM_VERSION}`),
    corednsVersion: COREDNS_VERSION,
    helmVersion: HELM_VERSION,
    nodeName: "paperclip-sandbox",
    bridge: { name: `pcsbx${n}`, subnet: `10.88.${n}.0/24`, gateway: `10.88.${n}.1`, prefixLength: 24 },
    // Its own Service range per instance: kube-proxy serves one cluster per machine (iptables.ts), and another
    // instance's pods must never reach the owner's ClusterIPs by accident.
    serviceCidr: `10.96.${n}.0/24`,
    serviceIp: `10.96.${n}.1`,
    dnsServiceIp: `10.96.${n}.10`,
    clusterDomain: "cluster.local",
    ports: {
      apiserver: 16443 + 100 * n,
      etcdClient: 12379 + 100 * n,
      etcdPeer: 12380 + 100 * n,
      controllerManager: 10257 + 100 * n,
      scheduler: 10259 + 100 * n,
      kubelet: 10250 + 100 * n,
      kubeletHealthz: 10248 + 100 * n,
      kubeProxyHealthz: 10256 + 100 * n,
      kubeProxyMetrics: 10249 + 100 * n,
      corednsHealth: 10261 + 100 * n,
      corednsReady: 10262 + 100 * n,
    },
    cgroupRoot: `paperclip-sandbox${suffix}`,
    cniNetwork: `paperclip-sandbox${suffix}`,
    instance: n,
    images: {
      pause: "localhost/paperclip-pause:3.10",
      tools: "localhost/paperclip-tools:1",
      claude: (v) => `localhost/paperclip-claude:${v}`,
    },
    claudeVersions: parseVersions(env.SANDBOX_CLAUDE_VERSIONS, "SANDBOX_CLAUDE_VERSIONS"),
    storage: { className: "sandbox-rwx", volumes: 16, capacity: "10Gi" },
  };
}

/** Well-known paths inside the state directory. */
export function statePaths(config: LocalClusterConfig) {
  const s = config.stateDir;
  return {
    pki: join(s, "pki"),
    logs: join(s, "logs"),
    run: join(s, "run"),
    etcdData: join(s, "etcd"),
    containerdRoot: join(s, "containerd", "root"),
    containerdState: join(s, "containerd", "state"),
    containerdConfig: join(s, "containerd", "config.toml"),
    containerdSocket: join(s, "containerd", "containerd.sock"),
    cniConfDir: join(s, "cni", "net.d"),
    cniIpamDir: join(s, "cni", "ipam"),
    kubeletRoot: join(s, "kubelet"),
    kubeletConfig: join(s, "kubelet-config.yaml"),
    kubeProxyConfig: join(s, "kube-proxy-config.yaml"),
    corefile: join(s, "Corefile"),
    volumes: join(s, "volumes"),
    podLogs: join(s, "pod-logs"),
    hostState: join(s, "host-state.json"),
    lock: join(s, "lock"),
  };
}
export type StatePaths = ReturnType<typeof statePaths>;
