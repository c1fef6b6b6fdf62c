/**
 * Run a real `claude` CLI against the mock Anthropic API in a throwaway sandbox (own HOME, config dir and
 * working directory), capturing stdout/stderr bytes, exit code/signal and duration. Used by the fixture
 * recorder and by the tests that drive the real CLI.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killByEnv, signalTarget } from "../process-tree.js";

/** A private HOME + project directory under one temp base (the base is what fixture scrubbing replaces). */
export interface RunSandbox {
  readonly base: string;
  readonly home: string;
  readonly project: string;
  dispose(): Promise<void>;
}

export async function createRunSandbox(prefix = "claude-run-"): Promise<RunSandbox> {
  const base = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  const home = join(base, "home");
  const project = join(base, "project");
  await mkdir(join(home, ".claude"), { recursive: true });
  await mkdir(project, { recursive: true });
  return { base, home, project, dispose: () => rm(base, { recursive: true, force: true }) };
}

export interface MockClaudeEnvOptions {
  /** Base URL of the mock Anthropic API. */
  readonly baseUrl: string;
  readonly home: string;
  /** API key to send; a `[[mock:<scenario>]]` marker in it selects the scenario for every request. */
  readonly apiKey?: string;
  /** CLAUDE_CODE_MAX_RETRIES; keeps API-error runs short. Default 2. */
  readonly maxRetries?: number;
  /** Extra variables (win over the defaults). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** Synthetic key: never a real credential. */
export const MOCK_API_KEY = "sk-ant-api03-mock-0000000000000000";

/**
 * A minimal, explicit environment (nothing inherited but PATH/LANG/TZ) so runs do not pick up the
 * operator's real credentials or config, and the CLI makes no calls beyond the mock.
 */
export function mockClaudeEnv(options: MockClaudeEnvOptions): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const key of ["PATH", "LANG", "TZ"]) {
    const value = process.env[key];
    if (value !== undefined) inherited[key] = value;
  }
  return {
    ...inherited,
    HOME: options.home,
    CLAUDE_CONFIG_DIR: join(options.home, ".claude"),
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey ?? MOCK_API_KEY,
    DISABLE_TELEMETRY: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 2),
    ...options.extra,
  };
}

export interface RunClaudeOptions {
  readonly bin: string;
  readonly args: readonly string[];
  /** Written to stdin, which is then closed. */
  readonly prompt: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Send `signal` to the CLI once a complete stdout line satisfies `when`. */
  readonly interrupt?: {
    readonly when: (line: string) => boolean;
    readonly signal: NodeJS.Signals;
  };
  /** Hard limit: SIGKILL the process group after this long. Default 180 s. */
  readonly timeoutMs?: number;
}

export interface ClaudeRun {
  /** Process id of the CLI (some versions embed it in paths, e.g. a messaging socket). */
  readonly pid: number | undefined;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  /** True if `interrupt` fired. */
  readonly interrupted: boolean;
  /** True if the hard timeout fired. */
  readonly timedOut: boolean;
  /** Processes of this run still alive after the CLI closed its output (killed by the sweep). */
  readonly leftoversKilled: number;
}

/** Environment variable that tags every process of one run, so leftovers can be found after the CLI exits. */
export const RUN_TAG_VAR = "PAPERCLIP_K8S_CLAUDE_RUN";

/**
 * SIGKILL every process whose environment carries `RUN_TAG_VAR=<tag>`. The CLI starts tool shells in their
 * own process groups and they are re-parented to init when the CLI dies, so neither the group nor the process
 * tree finds them; the inherited environment does. Linux only (/proc); elsewhere a no-op. Returns the count.
 */
export function killTaggedProcesses(tag: string): Promise<number> {
  return killByEnv(RUN_TAG_VAR, tag);
}

/**
 * Spawn the CLI in its own process group, feed the prompt, collect output until stdout/stderr close, then
 * kill whatever the run left behind: its group, and tool processes tagged with the run's RUN_TAG_VAR (e.g. the
 * `sleep` a killed tool call was running).
 */
export function runClaude(options: RunClaudeOptions): Promise<ClaudeRun> {
  const started = performance.now();
  const tag = randomUUID();
  const child = spawn(options.bin, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env, [RUN_TAG_VAR]: tag },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let interrupted = false;
  let timedOut = false;
  let pendingLine = "";

  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid !== undefined) signalTarget({ group: child.pid }, signal);
  };

  child.stdout.on("data", (chunk: Buffer) => {
    stdout.push(chunk);
    if (options.interrupt === undefined || interrupted) return;
    pendingLine += chunk.toString("utf8");
    const lines = pendingLine.split("\n");
    pendingLine = lines.pop() ?? "";
    if (lines.some(options.interrupt.when)) {
      interrupted = true;
      child.kill(options.interrupt.signal);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on("error", () => {
    // the CLI may exit before reading stdin (e.g. bad flags); the exit status tells the story
  });
  child.stdin.end(options.prompt);

  const timer = setTimeout(() => {
    timedOut = true;
    killGroup("SIGKILL");
  }, options.timeoutMs ?? 180_000);

  return new Promise<ClaudeRun>((resolve, reject) => {
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", async (exitCode, signal) => {
      clearTimeout(timer);
      killGroup("SIGKILL");
      const leftoversKilled = await killTaggedProcesses(tag);
      resolve({
        leftoversKilled,
        pid: child.pid,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        exitCode,
        signal,
        durationMs: Math.round(performance.now() - started),
        interrupted,
        timedOut,
      });
    });
  });
}

/** Parse the JSON lines of a stream-json stdout, skipping anything that is not a JSON object. */
export function jsonLines(stdout: Buffer | string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of stdout.toString().split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null) out.push(value as Record<string, unknown>);
    } catch {
      // truncated last line of a killed run
    }
  }
  return out;
}
