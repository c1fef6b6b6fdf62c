import { existsSync, statfsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { SandboxError } from "./errors.js";
import { findCommand, run } from "./exec.js";

/** A host tool the local provider needs, and the Debian package that provides it. */
export interface HostRequirement {
  /** A command on PATH, or an absolute file path. */
  probe: string;
  aptPackage: string;
}

export const CNI_BIN_DIR = "/usr/lib/cni";

export const HOST_REQUIREMENTS: readonly HostRequirement[] = [
  { probe: "containerd", aptPackage: "containerd" },
  { probe: "ctr", aptPackage: "containerd" },
  { probe: "runc", aptPackage: "runc" },
  { probe: "umoci", aptPackage: "umoci" },
  { probe: "ip", aptPackage: "iproute2" },
  { probe: "iptables", aptPackage: "iptables" },
  { probe: `${CNI_BIN_DIR}/bridge`, aptPackage: "containernetworking-plugins" },
  { probe: "openssl", aptPackage: "openssl" },
  { probe: "unshare", aptPackage: "util-linux" },
  { probe: "nsenter", aptPackage: "util-linux" },
  { probe: "gcc", aptPackage: "gcc" },
  { probe: "/usr/lib/x86_64-linux-gnu/libc.a", aptPackage: "libc6-dev" },
];

function present(req: HostRequirement): boolean {
  return req.probe.startsWith("/") ? existsSync(req.probe) : findCommand(req.probe) !== undefined;
}

/** Debian packages still to install for the given requirements. */
export function missingPackages(reqs: readonly HostRequirement[] = HOST_REQUIREMENTS): string[] {
  return [...new Set(reqs.filter((r) => !present(r)).map((r) => r.aptPackage))];
}

/** What the kind provider needs on the host: a Docker engine to start, debootstrap for the node image. */
export const KIND_HOST_REQUIREMENTS: readonly HostRequirement[] = [
  { probe: "dockerd", aptPackage: "docker.io" },
  { probe: "docker", aptPackage: "docker.io" },
  { probe: "runc", aptPackage: "runc" },
  { probe: "debootstrap", aptPackage: "debootstrap" },
  { probe: "umoci", aptPackage: "umoci" },
  { probe: "ctr", aptPackage: "containerd" },
  { probe: "/usr/sbin/xtables-nft-multi", aptPackage: "iptables" },
  { probe: "gcc", aptPackage: "gcc" },
  { probe: "/usr/lib/x86_64-linux-gnu/libc.a", aptPackage: "libc6-dev" },
];

/** Installs missing Debian packages with apt-get (root only); a fresh CI machine goes through here once. */
export async function ensureHostPackages(
  log: (line: string) => void = () => {},
  reqs: readonly HostRequirement[] = HOST_REQUIREMENTS,
): Promise<string[]> {
  const missing = missingPackages(reqs);
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    throw new SandboxError(
      "sandbox_host_unsupported",
      `the local cluster needs root to install ${missing.join(", ")} (apt-get install -y ${missing.join(" ")})`,
      { field: "uid" },
    );
  }
  log(`apt-get install -y ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await run("apt-get", ["update", "-q"], { env, timeoutMs: 600_000 });
  await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], {
    env,
    timeoutMs: 900_000,
  });
  const still = missingPackages(reqs);
  if (still.length > 0) {
    throw new SandboxError("sandbox_host_unsupported", `apt-get did not provide ${still.join(", ")}`);
  }
  return missing;
}

export type CgroupMode = "v1" | "v2";

/** `tmpfs` at /sys/fs/cgroup means cgroup v1 (possibly hybrid); `cgroup2fs` means the unified hierarchy. */
export function cgroupMode(): CgroupMode {
  const CGROUP2_SUPER_MAGIC = 0x63677270;
  return statfsSync("/sys/fs/cgroup").type === CGROUP2_SUPER_MAGIC ? "v2" : "v1";
}

/** Fails early, with the reason, on hosts the local provider cannot run on. */
export function assertHostSupported(): void {
  if (process.platform !== "linux") {
    throw new SandboxError(
      "sandbox_host_unsupported",
      "the local provider needs Linux (use the kind provider)",
      {
        field: "platform",
      },
    );
  }
  if (process.getuid?.() !== 0) {
    throw new SandboxError(
      "sandbox_host_unsupported",
      "the local provider runs containerd and a kubelet, which need root; run as root or use --provider kind",
      { field: "uid" },
    );
  }
  if (cgroupMode() === "v2") {
    // Works too (the kubelet prefers v2), but the sandbox only creates v1 cgroup roots; say so plainly.
    throw new SandboxError(
      "sandbox_host_unsupported",
      "cgroup v2 host: the local provider is written for cgroup v1 hosts (cgroupfs driver); use --provider kind",
      { field: "cgroup" },
    );
  }
}

/**
 * Kernel settings the kubelet (and the CNI bridge plugin) change on start. They are recorded before the
 * node starts and put back on teardown, so a shared dev box ends as it began.
 */
export const TOUCHED_SYSCTLS = [
  "vm/overcommit_memory",
  "vm/panic_on_oom",
  "kernel/panic",
  "kernel/panic_on_oops",
  "kernel/keys/root_maxkeys",
  "kernel/keys/root_maxbytes",
  "net/ipv4/ip_forward",
] as const;

export async function readSysctls(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const key of TOUCHED_SYSCTLS) {
    try {
      values[key] = (await readFile(`/proc/sys/${key}`, "utf8")).trim();
    } catch {
      // not present on this kernel
    }
  }
  return values;
}

export async function restoreSysctls(values: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    if (!(TOUCHED_SYSCTLS as readonly string[]).includes(key)) continue;
    try {
      const current = (await readFile(`/proc/sys/${key}`, "utf8")).trim();
      if (current !== value) await writeFile(`/proc/sys/${key}`, value);
    } catch {
      // best effort: a read-only /proc/sys is not ours to fix
    }
  }
}
