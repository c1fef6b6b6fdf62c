import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { TOUCHED_SYSCTLS } from "./host.js";

/**
 * Host-wide kernel settings a privileged kind node can change: the kubelet's (as on the local provider), and what
 * systemd as the node's PID 1 bumps at boot (fs.file-max, fs.nr_open; measured: file-max 2466239 ->
 * 9223372036854775807). kernel.pid_max and nf_conntrack_max are listed to prove the masked systemd-sysctl and
 * kind's kube-proxy setting (conntrack.maxPerCore 0) keep them unchanged. Recorded before the first `up`, put back
 * on `down`.
 */
export const KIND_HOST_SYSCTLS: readonly string[] = [
  ...TOUCHED_SYSCTLS,
  "fs/file-max",
  "fs/nr_open",
  "kernel/pid_max",
  "net/netfilter/nf_conntrack_max",
];

export async function readHostSysctls(keys: readonly string[] = KIND_HOST_SYSCTLS) {
  const values: Record<string, string> = {};
  for (const key of keys) {
    try {
      values[key] = (await readFile(`/proc/sys/${key}`, "utf8")).trim();
    } catch {
      // not present on this kernel
    }
  }
  return values;
}

/** Keys whose value in `now` differs from `before`. */
export function changedSysctls(before: Record<string, string>, now: Record<string, string>): string[] {
  return Object.keys(before).filter((k) => now[k] !== undefined && now[k] !== before[k]);
}

/** Writes the snapshot unless one is there (a second `up` keeps the values from before the first). */
export async function recordHostSysctls(file: string): Promise<void> {
  if (existsSync(file)) return;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(await readHostSysctls(), null, 2)}\n`);
}

/** Puts every recorded setting that changed back, removes the snapshot; returns what was restored. */
export async function restoreHostSysctls(file: string): Promise<string[]> {
  if (!existsSync(file)) return [];
  const before = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  const restored: string[] = [];
  for (const key of changedSysctls(before, await readHostSysctls(Object.keys(before)))) {
    if (!KIND_HOST_SYSCTLS.includes(key)) continue;
    await writeFile(`/proc/sys/${key}`, before[key] as string);
    restored.push(`${key.replace(/\//g, ".")}=${before[key]}`);
  }
  await rm(file, { force: true });
  return restored;
}
