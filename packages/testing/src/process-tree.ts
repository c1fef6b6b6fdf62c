/**
 * The one place the sandbox and the test harnesses signal and stop processes: a single process, a whole process
 * group, or every process that inherited a tag in its environment (tool shells that moved to their own group and
 * were re-parented to init are found by that, and only by that). Linux /proc for the environment scan.
 */
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** One process, or every process of one process group. */
export type KillTarget = { readonly pid: number } | { readonly group: number };

/**
 * Sends `signal` (0: only checks) to the target. Returns false when nothing is there (ESRCH); any other failure
 * (EPERM: a process that is not ours) is thrown.
 */
export function signalTarget(target: KillTarget, signal: NodeJS.Signals | 0): boolean {
  const pid = "group" in target ? -target.group : target.pid;
  if (!Number.isInteger(pid) || pid === 0 || pid === -1)
    throw new RangeError(`refusing to signal pid ${pid}`);
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** True while the process (or any process of the group, zombies included) exists. */
export function targetAlive(target: KillTarget): boolean {
  return signalTarget(target, 0);
}

export interface StopOptions {
  /** How long the first signal gets before SIGKILL. */
  readonly graceMs: number;
  /** How long to wait for SIGKILL to take effect. Default 10 s. */
  readonly hardMs?: number;
  /** The polite signal. Default SIGTERM. */
  readonly signal?: NodeJS.Signals;
  /** Whether the target still runs; default `targetAlive(target)`. Pass a stricter check to guard against pid reuse. */
  readonly alive?: () => boolean;
  /** Poll interval. Default 100 ms. */
  readonly pollMs?: number;
}

async function waitGone(alive: () => boolean, ms: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive()) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/** The polite signal, up to `graceMs` to go, then SIGKILL and up to `hardMs`. Resolves true once it is gone. */
export async function stopTarget(target: KillTarget, options: StopOptions): Promise<boolean> {
  const alive = options.alive ?? (() => targetAlive(target));
  const pollMs = options.pollMs ?? 100;
  if (!alive()) return true;
  signalTarget(target, options.signal ?? "SIGTERM");
  if (await waitGone(alive, options.graceMs, pollMs)) return true;
  signalTarget(target, "SIGKILL");
  return waitGone(alive, options.hardMs ?? 10_000, pollMs);
}

/**
 * Signals (default SIGKILL) every process but this one whose environment holds `name=value` exactly. Returns how
 * many were signalled; 0 where there is no /proc. Processes that vanish or cannot be read are skipped.
 */
export async function killByEnv(
  name: string,
  value: string,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<number> {
  let pids: number[];
  try {
    pids = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry)).map(Number);
  } catch {
    return 0;
  }
  const needle = `\0${name}=${value}\0`;
  let signalled = 0;
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      const environ = `\0${await readFile(`/proc/${pid}/environ`, "latin1")}`;
      if (environ.includes(needle) && signalTarget({ pid }, signal)) signalled++;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return signalled;
}
