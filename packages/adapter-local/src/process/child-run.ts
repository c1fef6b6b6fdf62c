import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { processesWithEnv, processGroupIsAlive, signalProcess, signalProcessGroup } from "./process-table.js";

/** What to start. */
export interface ChildProcessSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Written to stdin right after `onSpawn` settles; stdin is then closed. */
  stdin: string;
  /**
   * An env var (name and a value unique to this run) added to the child's env. Descendants inherit it, so the
   * supervisor also finds and ends those that left the process group (e.g. a tool shell started with setsid, orphaned
   * when the CLI is SIGKILLed). Linux only; elsewhere only the process group is swept.
   */
  marker?: { name: string; value: string } | undefined;
}

export interface ChildSpawnInfo {
  pid: number;
  processGroupId: number;
  startedAt: string;
}

export interface ChildRunOptions {
  /** Wall-clock limit; 0 or less means none. */
  timeoutSec: number;
  /** Time between SIGTERM and SIGKILL when the adapter ends the process group. */
  graceSec: number;
  /** Aborting it ends the process group the same way as a timeout. */
  signal?: AbortSignal | undefined;
  /** How long a process may keep running after `terminalResultSeen()` before its group is ended. */
  afterResultGraceMs: number;
  onSpawn?: ((info: ChildSpawnInfo) => Promise<void> | void) | undefined;
  /** Receives stdout bytes in order; the stream is paused until the returned promise settles. */
  onStdout: (chunk: Buffer) => Promise<void> | void;
  onStderr: (chunk: Buffer) => Promise<void> | void;
}

/** Why the adapter ended the process group, if it did. */
export type StopReason = "timeout" | "cancelled" | "after_result";

export interface ChildRunOutcome {
  /** Null when the command could not be started. */
  spawned: ChildSpawnInfo | null;
  spawnError: NodeJS.ErrnoException | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stoppedBy: StopReason | null;
  /** First error thrown by an output sink; output kept flowing regardless. */
  sinkError: unknown;
}

export interface ChildRun {
  readonly done: Promise<ChildRunOutcome>;
  /** The CLI wrote a terminal result: if it has not exited `afterResultGraceMs` after the last one, end it. */
  terminalResultSeen(): void;
}

const SWEEP_POLL_MS = 25;
const SWEEP_POLL_MAX_MS = 200;
/** After the group is gone, how long a pipe may stay open (held by a process that left the group) before we drop it. */
const PIPE_DRAIN_LIMIT_MS = 2_000;

/**
 * Runs one command in its own process group and supervises it until nothing of it is left: on every path (normal
 * exit, timeout, cancellation, hang after the result, spawn failure) the returned outcome settles only after the
 * child has exited, every other live member of its process group and every process carrying its marker env var has
 * been ended (SIGTERM, SIGKILL after the grace period) and both output pipes have been drained.
 */
export function startChildRun(spec: ChildProcessSpec, options: ChildRunOptions): ChildRun {
  let onTerminal: () => void = () => {};
  const done = supervise(spec, options, (hook) => {
    onTerminal = hook;
  });
  return {
    done,
    terminalResultSeen: () => onTerminal(),
  };
}

async function supervise(
  spec: ChildProcessSpec,
  options: ChildRunOptions,
  setTerminalHook: (hook: () => void) => void,
): Promise<ChildRunOutcome> {
  const outcome: ChildRunOutcome = {
    spawned: null,
    spawnError: null,
    exitCode: null,
    signal: null,
    stoppedBy: null,
    sinkError: undefined,
  };
  const recordSinkError = (error: unknown) => {
    outcome.sinkError ??= error;
  };

  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env:
        spec.marker === undefined ? { ...spec.env } : { ...spec.env, [spec.marker.name]: spec.marker.value },
      detached: true,
      stdio: "pipe",
      windowsHide: true,
    });
  } catch (error) {
    outcome.spawnError = error as NodeJS.ErrnoException;
    return outcome;
  }
  const exited = waitForExit(child);
  const spawnError = await waitForSpawn(child);
  if (spawnError || child.pid === undefined) {
    outcome.spawnError = spawnError ?? Object.assign(new Error("spawn failed"), { code: "UNKNOWN" });
    child.stdout.destroy();
    child.stderr.destroy();
    child.stdin.destroy();
    return outcome;
  }

  const spawned: ChildSpawnInfo = {
    pid: child.pid,
    processGroupId: child.pid,
    startedAt: new Date().toISOString(),
  };
  outcome.spawned = spawned;
  const stopper = new RunStopper(spawned.processGroupId, spec.marker, options.graceSec * 1000);

  const stdoutDone = pump(child.stdout, options.onStdout, recordSinkError);
  const stderrDone = pump(child.stderr, options.onStderr, recordSinkError);

  const timeout =
    options.timeoutSec > 0 ? setTimeout(() => stopper.stop("timeout"), options.timeoutSec * 1000) : undefined;
  const onAbort = () => stopper.stop("cancelled");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let afterResult: NodeJS.Timeout | undefined;
  setTerminalHook(() => {
    // restarted by every further result (background-task follow-up turns write a second one)
    clearTimeout(afterResult);
    afterResult = setTimeout(() => stopper.stop("after_result"), options.afterResultGraceMs);
  });

  try {
    await options.onSpawn?.(spawned);
  } catch (error) {
    recordSinkError(error);
  }
  child.stdin.on("error", () => {
    // EPIPE when the CLI exits without reading its prompt; the exit status tells the story.
  });
  child.stdin.end(spec.stdin);

  const exit = await exited;
  outcome.exitCode = exit.code;
  outcome.signal = exit.signal;
  clearTimeout(timeout);
  clearTimeout(afterResult);
  options.signal?.removeEventListener("abort", onAbort);

  await stopper.endLeftovers();
  outcome.stoppedBy = stopper.reason;
  await drainWithin([stdoutDone, stderrDone], [child.stdout, child.stderr], PIPE_DRAIN_LIMIT_MS);
  return outcome;
}

/**
 * Ends everything a run started: its process group plus, where the marker is available, every process carrying the
 * run's marker env var. SIGTERM first, SIGKILL after the grace period.
 */
class RunStopper {
  reason: StopReason | null = null;
  private killTimer: NodeJS.Timeout | undefined;
  private termSent = false;

  constructor(
    private readonly processGroupId: number,
    private readonly marker: { name: string; value: string } | undefined,
    private readonly graceMs: number,
  ) {}

  stop(reason: StopReason): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.terminate();
  }

  /** After the leader exited: end whatever else of the run still runs and wait until none of it does. */
  async endLeftovers(): Promise<void> {
    if (this.anyAlive()) {
      this.terminate();
      await waitUntil(() => !this.anyAlive(), this.graceMs);
      this.signalAll("SIGKILL");
      // SIGKILL cannot be caught; this only waits for the kernel to tear the processes down.
      await waitUntil(() => !this.anyAlive(), 10_000);
    }
    clearTimeout(this.killTimer);
  }

  private anyAlive(): boolean {
    return processGroupIsAlive(this.processGroupId) || this.markedProcesses().length > 0;
  }

  private markedProcesses(): number[] {
    return this.marker === undefined
      ? []
      : processesWithEnv(this.marker.name, this.marker.value).map((p) => p.pid);
  }

  private signalAll(signal: NodeJS.Signals): void {
    signalProcessGroup(this.processGroupId, signal);
    for (const pid of this.markedProcesses()) signalProcess(pid, signal);
  }

  private terminate(): void {
    if (this.termSent) return;
    this.termSent = true;
    this.signalAll("SIGTERM");
    this.killTimer = setTimeout(() => this.signalAll("SIGKILL"), this.graceMs);
    this.killTimer.unref();
  }
}

function waitForSpawn(child: ChildProcessWithoutNullStreams): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const onSpawn = () => {
      child.off("error", onError);
      resolve(null);
    };
    const onError = (error: Error) => {
      child.off("spawn", onSpawn);
      resolve(error as NodeJS.ErrnoException);
    };
    child.once("spawn", onSpawn);
    child.once("error", onError);
  });
}

function waitForExit(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** Feeds a stream to a sink one chunk at a time (the stream waits for the sink: bounded memory). */
async function pump(
  stream: Readable,
  sink: (chunk: Buffer) => Promise<void> | void,
  onSinkError: (error: unknown) => void,
): Promise<void> {
  try {
    for await (const chunk of stream) {
      try {
        await sink(chunk as Buffer);
      } catch (error) {
        onSinkError(error);
      }
    }
  } catch {
    // the pipe was destroyed (see drainWithin) or broke; whatever arrived has been delivered
  }
}

async function drainWithin(pumps: Promise<void>[], streams: Readable[], limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<"limit">((resolve) => {
    timer = setTimeout(() => resolve("limit"), limitMs);
  });
  const drained = Promise.all(pumps);
  if ((await Promise.race([drained, limit])) === "limit") {
    for (const stream of streams) stream.destroy();
    await drained;
  }
  clearTimeout(timer);
}

async function waitUntil(condition: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  let delay = SWEEP_POLL_MS;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, SWEEP_POLL_MAX_MS);
  }
}
