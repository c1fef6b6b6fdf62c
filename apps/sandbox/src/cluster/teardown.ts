/**
 * Finding and removing everything the local cluster leaves on the host: processes, mounts, network devices,
 * cgroups, kernel settings. `findLeftovers` is the proof used by `status` and the e2e tests.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readdir, readlink, rm, rmdir, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { signalTarget, stopTarget } from "@paperclip-k8s/testing";
import { kubeProxyCleanupCommand } from "./addons.js";
import { clusterAlive, foreignOwner, readClaim, releaseClaim } from "./claim.js";
import type { LocalClusterConfig } from "./config.js";
import { statePaths } from "./config.js";
import { run } from "./exec.js";
import { foreignKubeProxyOwner, ownedKubeProxyChains, releaseKubeProxyClaim } from "./iptables.js";
import { leftoverLinks, removeBridge } from "./network.js";
import { isRunning, listDaemons, stopSpawning } from "./processes.js";

export interface Leftovers {
  processes: { pid: number; why: string; cmdline: string }[];
  mounts: string[];
  links: string[];
  cgroups: string[];
  /** kube-proxy's iptables chains (`nat/KUBE-SERVICES`, …) when this cluster answers for them. */
  iptables: string[];
  /** Host kernel settings changed and not put back (kind provider). */
  sysctls?: string[];
}

export function isClean(l: Leftovers): boolean {
  const n = l.processes.length + l.mounts.length + l.links.length + l.cgroups.length + l.iptables.length;
  return n + (l.sysctls?.length ?? 0) === 0;
}

/** Mount points (from a mountinfo text) at or under `dir`, deepest first: the order to unmount them in. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const points = mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\040/g, " "))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort(
    (a, b) => b.split("/").length - a.split("/").length || b.length - a.length,
  );
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => p !== process.pid);
}

function isComponentExecutable(pid: number, config: LocalClusterConfig): boolean {
  let exe: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return false;
  }
  return (
    exe.startsWith(`${config.binDir}/`) ||
    exe.startsWith(`${config.addonsBinDir}/`) ||
    basename(exe) === "containerd"
  );
}

function mountNsOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

export const MOUNT_NS_FILE = "containerd.mntns";

/** The mount namespace containerd and the kubelet share, recorded when containerd starts. */
export function readRecordedMountNs(runDir: string): string | undefined {
  try {
    return readFileSync(join(runDir, MOUNT_NS_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export function mountNamespace(pid: number): string | undefined {
  return mountNsOf(pid);
}

/** cgroup v1 controller directories that hold the sandbox's cgroup root. */
export function cgroupRootDirs(config: LocalClusterConfig): string[] {
  const base = "/sys/fs/cgroup";
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .map((c) => join(base, c, config.cgroupRoot))
    .filter((d) => existsSync(d));
}

function pidsInCgroupTree(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string) => {
    try {
      for (const line of readFileSync(join(d, "cgroup.procs"), "utf8").split("\n"))
        if (line) pids.push(Number(line));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch {
      // vanished while walking
    }
  };
  walk(dir);
  return pids;
}

/** Processes that belong to the sandbox: recorded daemons, anything in its mount namespace or cgroups, its shims. */
export async function sandboxProcesses(
  config: LocalClusterConfig,
  includeCgroups = true,
): Promise<Leftovers["processes"]> {
  const paths = statePaths(config);
  const found = new Map<number, string>();
  const daemons = await listDaemons(paths.run);
  for (const d of daemons) if (isRunning(d)) found.set(d.pid, `daemon ${d.name}`);
  const namespaces = new Set<string>();
  const recordedNs = readRecordedMountNs(paths.run);
  if (recordedNs) namespaces.add(recordedNs);
  for (const dir of includeCgroups ? cgroupRootDirs(config) : []) {
    for (const pid of pidsInCgroupTree(dir)) if (!found.has(pid)) found.set(pid, `in cgroup ${dir}`);
  }
  for (const pid of allPids()) {
    if (found.has(pid)) continue;
    const cmd = cmdlineOf(pid);
    // containerd-shim-runc-v2 ... -address <our socket>
    if (cmd.includes(paths.containerdSocket)) {
      found.set(pid, "shim of the sandbox containerd");
      continue;
    }
    // A component started for this state dir whose pid record was lost (e.g. spawned while an
    // interrupted `up` was already tearing down): our binaries, with our state dir in their arguments.
    if (cmd.includes(`${config.stateDir}/`) && isComponentExecutable(pid, config)) {
      found.set(pid, "component of this state dir");
      continue;
    }
    const ns = namespaces.size > 0 ? mountNsOf(pid) : undefined;
    if (ns && namespaces.has(ns)) found.set(pid, "in the sandbox mount namespace");
  }
  return [...found].map(([pid, why]) => ({ pid, why, cmdline: cmdlineOf(pid) }));
}

/**
 * What this state dir's cluster has on the host. The instance-named bridge and cgroups are counted unless
 * another live cluster owns the instance (see claim.ts).
 */
export async function findLeftovers(config: LocalClusterConfig): Promise<Leftovers> {
  const named = foreignOwner(config) === undefined;
  return {
    processes: await sandboxProcesses(config, named),
    mounts: mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), config.stateDir),
    links: named ? await leftoverLinks(config.bridge) : [],
    cgroups: named ? cgroupRootDirs(config) : [],
    iptables: await ownedKubeProxyChains(config),
  };
}

/**
 * Whether teardown may remove the instance-named host resources (bridge, cgroups, their processes): when the
 * claim is ours, or the claimant is dead, or — for clusters started before claims existed — when this state
 * dir has daemon records.
 */
async function ownsNamedResources(config: LocalClusterConfig, hasRecords: boolean): Promise<boolean> {
  const claim = readClaim(config.instance);
  if (claim === config.stateDir) return true;
  if (claim !== undefined) return !clusterAlive(claim);
  return hasRecords;
}

/** Removes the cgroup root's subtree, deepest first (only empty cgroups can be removed). */
async function removeCgroupTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await removeCgroupTree(join(dir, e.name));
  }
  await rmdir(dir).catch(() => {});
}

/**
 * Stops everything: daemons in reverse start order (kubelet first), then any remaining sandbox process,
 * then unmounts (deepest first), the bridge and veths, the cgroups. Safe to run any number of times.
 */
export async function teardown(
  config: LocalClusterConfig,
  log: (line: string) => void = () => {},
): Promise<Leftovers> {
  const paths = statePaths(config);
  stopSpawning(); // an `up` still running in this process must not start anything new from now on
  const shimIds = await readdir(join(paths.containerdState, "io.containerd.runtime.v2.task", "k8s.io")).catch(
    () => [] as string[],
  );
  const order = [
    "kube-proxy",
    "coredns",
    "apiserver-bridge",
    "kubelet",
    "containerd",
    "kube-scheduler",
    "kube-controller-manager",
    "kube-apiserver",
    "etcd",
  ];
  const daemons = await listDaemons(paths.run);
  const owns = await ownsNamedResources(config, daemons.length > 0);
  if (!owns)
    log(`instance ${config.instance}'s bridge and cgroups belong to another cluster: leaving them alone`);
  daemons.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  for (const d of daemons) {
    if (isRunning(d)) log(`stopping ${d.name} (pid ${d.pid})`);
    if (isRunning(d)) {
      await stopTarget(
        { pid: d.pid },
        { graceMs: d.name === "containerd" ? 5000 : 10_000, alive: () => isRunning(d) },
      );
    }
    await rm(join(paths.run, `${d.name}.json`), { force: true });
  }
  for (let round = 0; round < 3; round++) {
    const stray = await sandboxProcesses(config, owns);
    if (stray.length === 0) break;
    log(`killing ${stray.length} remaining sandbox process(es)`);
    for (const p of stray) signalTarget({ pid: p.pid }, "SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const mount of mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), config.stateDir)) {
    log(`unmounting ${mount}`);
    const r = await run("umount", [mount], { allowFailure: true });
    if (r.code !== 0) await run("umount", ["-l", mount], { allowFailure: true });
  }
  if (owns) {
    await removeBridge(config.bridge);
    for (const dir of cgroupRootDirs(config)) await removeCgroupTree(dir);
  }
  await cleanKubeProxyRules(config, log);
  await rm(join(paths.run, MOUNT_NS_FILE), { force: true });
  await removeShimSockets(paths.containerdSocket, shimIds);
  await removeContainerLogLinks(paths.podLogs);
  await removeCniResultCache(await podSandboxIds(paths.containerdRoot));
  const left = await findLeftovers(config);
  if (owns && isClean(left)) releaseClaim(config);
  return left;
}

/**
 * `kube-proxy --cleanup` once kube-proxy is stopped, unless another live cluster owns the rules; the claim is
 * released when no chain is left.
 */
async function cleanKubeProxyRules(config: LocalClusterConfig, log: (line: string) => void): Promise<void> {
  if (foreignKubeProxyOwner(config) !== undefined) return;
  if ((await ownedKubeProxyChains(config)).length > 0) {
    const cmd = kubeProxyCleanupCommand(config);
    if (existsSync(cmd.command)) {
      log("removing kube-proxy's iptables rules (kube-proxy --cleanup)");
      await run(cmd.command, cmd.args, { allowFailure: true, timeoutMs: 60_000 });
    } else {
      log(`kube-proxy's iptables rules remain but ${cmd.command} is missing`);
    }
  }
  if ((await ownedKubeProxyChains(config)).length === 0) releaseKubeProxyClaim(config);
}

/**
 * containerd 1.6 puts each shim's socket at /run/containerd/s/<sha256(<containerd address>/<ns>/<id>)>; a shim
 * killed rather than shut down leaves it there. Remove the sockets of our shims (one per pod sandbox).
 */
export function shimSocketPath(containerdAddress: string, id: string, namespace = "k8s.io"): string {
  return join(
    "/run/containerd/s",
    createHash("sha256")
      .update(join(containerdAddress, namespace, id))
      .digest("hex"),
  );
}

async function removeShimSockets(containerdAddress: string, ids: string[]): Promise<void> {
  for (const id of ids) await unlink(shimSocketPath(containerdAddress, id)).catch(() => {});
}

/** The kubelet links /var/log/containers/*.log to pod logs; drop the links that point into our state dir. */
async function removeContainerLogLinks(podLogs: string): Promise<void> {
  const dir = "/var/log/containers";
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const target = await readlink(join(dir, name)).catch(() => "");
    if (target.startsWith(`${podLogs}/`)) await unlink(join(dir, name)).catch(() => {});
  }
}

/** Ids of the pod sandboxes this containerd created (read before its root is wiped). */
async function podSandboxIds(containerdRoot: string): Promise<Set<string>> {
  const dir = join(containerdRoot, "io.containerd.grpc.v1.cri", "sandboxes");
  return new Set(await readdir(dir).catch(() => [] as string[]));
}

/**
 * libcni caches ADD results under /var/lib/cni/results as `<network>-<sandbox id>-<ifname>` (our bridge
 * network and containerd's `cni-loopback`); a sandbox killed without CNI DEL leaves its files. Remove ours.
 */
async function removeCniResultCache(sandboxIds: Set<string>): Promise<void> {
  const dir = "/var/lib/cni/results";
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const id = name.match(/-([0-9a-f]{64})-[^-]+$/)?.[1];
    if (id && sandboxIds.has(id)) await unlink(join(dir, name)).catch(() => {});
  }
}
