import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stopTarget } from "@paperclip-k8s/testing";
import { SandboxError } from "./errors.js";

/** What is recorded for every daemon the sandbox starts, so `down` can stop exactly it and nothing else. */
export interface DaemonRecord {
  name: string;
  pid: number;
  /** Kernel start time of the process (clock ticks since boot): guards against pid reuse. */
  startTime: string;
  command: string[];
  logFile: string;
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** Field 22 of /proc/<pid>/stat, or undefined when the process is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; fields after it are split from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19];
  } catch {
    return undefined;
  }
}

export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** True when the recorded process still runs (same pid and same start time, not a zombie). */
export function isRunning(record: Pick<DaemonRecord, "pid" | "startTime">): boolean {
  return processStartTime(record.pid) === record.startTime && !isZombie(record.pid);
}

let spawningStopped = false;

/** Called when a teardown begins: later `startDaemon` calls in this process fail instead of starting orphans. */
export function stopSpawning(): void {
  spawningStopped = true;
}

/** Re-allows spawning (a new `up` after a completed teardown in the same process, e.g. in tests). */
export function allowSpawning(): void {
  spawningStopped = false;
}

/**
 * Starts a long-lived daemon detached from the CLI (its own session, output to a log file) and records it.
 * The daemon outlives `sandbox up`; `stopDaemon` ends it.
 */
export async function startDaemon(runDir: string, logDir: string, spec: DaemonSpec): Promise<DaemonRecord> {
  if (spawningStopped) {
    throw new SandboxError(
      "sandbox_component_failed",
      `${spec.name}: not started, the sandbox is being torn down`,
    );
  }
  await mkdir(runDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, `${spec.name}.log`);
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: spec.env ? { ...process.env, ...spec.env } : process.env,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", (err) =>
        reject(
          new SandboxError(
            "sandbox_component_failed",
            `${spec.name}: cannot start ${spec.command}: ${err.message}`,
          ),
        ),
      );
      child.once("spawn", () => resolve(child.pid as number));
    });
    child.unref();
    const startTime = processStartTime(pid);
    if (startTime === undefined) {
      throw new SandboxError(
        "sandbox_component_failed",
        `${spec.name} exited immediately; see ${logFile}:\n${tailFile(logFile)}`,
      );
    }
    const record: DaemonRecord = {
      name: spec.name,
      pid,
      startTime,
      command: [spec.command, ...spec.args],
      logFile,
    };
    await writeFile(join(runDir, `${spec.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    return record;
  } finally {
    closeSync(fd);
  }
}

export async function readDaemon(runDir: string, name: string): Promise<DaemonRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir, `${name}.json`), "utf8")) as DaemonRecord;
  } catch {
    return undefined;
  }
}

export async function listDaemons(runDir: string): Promise<DaemonRecord[]> {
  let files: string[];
  try {
    files = await readdir(runDir);
  } catch {
    return [];
  }
  const records: DaemonRecord[] = [];
  for (const f of files.filter((f) => f.endsWith(".json")).sort()) {
    const r = await readDaemon(runDir, f.slice(0, -5));
    if (r) records.push(r);
  }
  return records;
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; removes the pid record. */
export async function stopDaemon(runDir: string, record: DaemonRecord, graceMs = 10_000): Promise<void> {
  if (isRunning(record)) {
    await stopTarget({ pid: record.pid }, { graceMs, alive: () => isRunning(record) });
  }
  await rm(join(runDir, `${record.name}.json`), { force: true });
}

/** The last lines of a log file, for error messages. */
export function tailFile(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
