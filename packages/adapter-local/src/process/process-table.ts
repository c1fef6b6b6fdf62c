import { readdirSync, readFileSync } from "node:fs";

/** One live process as seen in /proc. */
export interface ProcessEntry {
  pid: number;
  processGroupId: number;
  /** Single-letter kernel state (R, S, D, T, Z ...). */
  state: string;
}

const procAvailable = process.platform === "linux";

/**
 * Parses `/proc/<pid>/stat`. The command name (field 2) is parenthesised and may itself contain spaces or parentheses,
 * so the fixed fields are read after its last `)`.
 */
export function parseProcStat(stat: string): ProcessEntry | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  const pid = Number.parseInt(stat, 10);
  const rest = stat.slice(close + 2).split(" ");
  const state = rest[0];
  const processGroupId = Number.parseInt(rest[2] ?? "", 10);
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(processGroupId)) return null;
  return { pid, processGroupId, state };
}

/** Every process currently in /proc (Linux only; empty elsewhere). Vanishing processes are skipped. */
export function listProcesses(): ProcessEntry[] {
  if (!procAvailable) return [];
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const entry = parseProcStat(readFileSync(`/proc/${name}/stat`, "utf8"));
      if (entry) entries.push(entry);
    } catch {
      // the process exited while we were looking
    }
  }
  return entries;
}

/**
 * Whether any process of the group is still running. Zombies do not count: a process that has exited but not been
 * reaped by its (possibly non-reaping) parent holds no resources and cannot be signalled away. Outside Linux this
 * falls back to signal 0, which also counts zombies.
 */
export function processGroupIsAlive(processGroupId: number): boolean {
  if (procAvailable) {
    return listProcesses().some((p) => p.processGroupId === processGroupId && p.state !== "Z");
  }
  try {
    process.kill(-processGroupId, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to a whole process group; a group that is already gone is not an error. */
export function signalProcessGroup(processGroupId: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-processGroupId, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Live processes (zombies excluded) whose environment contains `NAME=value` exactly — every descendant of a run,
 * including ones that moved to their own process group or session, as long as they kept the environment.
 * Linux only (empty elsewhere); processes whose environment cannot be read are skipped.
 */
export function processesWithEnv(name: string, value: string): ProcessEntry[] {
  if (!procAvailable) return [];
  const needle = Buffer.from(`${name}=${value}\0`);
  return listProcesses().filter((p) => {
    if (p.state === "Z" || p.pid === process.pid) return false;
    try {
      const environ = readFileSync(`/proc/${p.pid}/environ`);
      // entries are NUL-separated; the first one has no leading NUL
      return (
        environ.subarray(0, needle.length).equals(needle) || environ.includes(Buffer.concat([NUL, needle]))
      );
    } catch {
      return false;
    }
  });
}

const NUL = Buffer.from([0]);

/** Sends a signal to one process; a process that is already gone is not an error. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
