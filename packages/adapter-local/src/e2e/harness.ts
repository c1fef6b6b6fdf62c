/**
 * Shared pieces of the e2e suites: the real `claude` CLI from npm (@paperclip-k8s/testing installer), the mock Anthropic API,
 * a recording Paperclip execution context, and a /proc scan for processes a run left behind.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  AdapterExecutionContext,
  AdapterInvocationMeta,
  AdapterSpawnInfo,
} from "@paperclip-k8s/run-core";
import {
  type ClaudeCli,
  ensureClaudeCli,
  type MockAnthropic,
  startMockAnthropic,
} from "@paperclip-k8s/testing";
import { listProcesses } from "../process/process-table.js";

export const FAKE_API_KEY = "sk-ant-e2e-not-a-real-key-0123456789";
const AGENT_ID = "agent-e2e";
const COMPANY_ID = "company-e2e";

export async function startMock(): Promise<MockAnthropic> {
  return startMockAnthropic({ host: "127.0.0.1", port: 0, log: () => {} });
}

export function installCli(version: string): Promise<ClaudeCli> {
  return ensureClaudeCli(version);
}

/** A private Claude home and workspace per test, so runs never share sessions by accident. */
export interface Sandbox {
  root: string;
  home: string;
  cwd: string;
}

export function makeSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "claude-cli-e2e-"));
  const home = join(root, "home");
  const cwd = join(root, "work");
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  return { root, home, cwd };
}

/** A command that runs the real CLI, then lingers: the "hangs after its result" case. */
export function lingeringWrapper(sandbox: Sandbox, cliBin: string, lingerSec: number): string {
  const path = join(sandbox.root, "claude-then-linger.sh");
  writeFileSync(path, `#!/bin/sh\n"${cliBin}" "$@"\nsleep ${lingerSec}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * A command that waits `leadSec` seconds, then becomes the real CLI (same pid, same process group): a run timeout of
 * at least 10 s (the shortest timeoutSec the config accepts) then hits a CLI that has been running for a chosen time.
 */
export function delayedStartWrapper(sandbox: Sandbox, cliBin: string, leadSec: number): string {
  const path = join(sandbox.root, "sleep-then-claude.sh");
  writeFileSync(path, `#!/bin/sh\nsleep ${leadSec.toFixed(3)}\nexec "${cliBin}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * The agent's managed instructions bundle as Paperclip's server keeps it, under a private Paperclip home:
 * `<home>/instances/default/companies/<company>/agents/<agent>/instructions/AGENTS.md` (the only place, besides the
 * operator's roots, an `instructionsFilePath` may point to). The run resolves it from the server's PAPERCLIP_HOME.
 */
export function writeManagedInstructions(sandbox: Sandbox, content: string): { home: string; file: string } {
  const home = join(sandbox.root, "paperclip-home");
  const dir = join(home, "instances", "default", "companies", COMPANY_ID, "agents", AGENT_ID, "instructions");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "AGENTS.md");
  writeFileSync(file, content);
  return { home, file };
}

export interface RecordedRun {
  ctx: AdapterExecutionContext;
  controller: AbortController;
  logs: { stream: "stdout" | "stderr"; chunk: string }[];
  metas: AdapterInvocationMeta[];
  spawns: AdapterSpawnInfo[];
  cancellationReady: number;
  stdout(): string;
  stderr(): string;
}

export interface RunOptions {
  cli: ClaudeCli;
  mock: MockAnthropic;
  sandbox: Sandbox;
  /** Mock scenario marker, e.g. `[[mock:max-turns]]`, put in the prompt. */
  marker?: string;
  config?: Record<string, unknown>;
  sessionParams?: Record<string, unknown> | null;
  onLog?: (stream: "stdout" | "stderr", chunk: string, run: RecordedRun) => void;
  onSpawn?: (info: AdapterSpawnInfo, run: RecordedRun) => void;
}

/** A Paperclip execution context that records every callback. */
export function recordedRun(options: RunOptions): RecordedRun {
  const controller = new AbortController();
  const { cli, mock, sandbox } = options;
  const run: RecordedRun = {
    controller,
    logs: [],
    metas: [],
    spawns: [],
    cancellationReady: 0,
    stdout: () =>
      run.logs
        .filter((l) => l.stream === "stdout")
        .map((l) => l.chunk)
        .join(""),
    stderr: () =>
      run.logs
        .filter((l) => l.stream === "stderr")
        .map((l) => l.chunk)
        .join(""),
    ctx: {
      runId: `e2e-${randomUUID()}`,
      agent: {
        id: AGENT_ID,
        companyId: COMPANY_ID,
        name: "E2E Agent",
        adapterType: "claude_cli",
        adapterConfig: {},
      },
      runtime: {
        sessionId: null,
        sessionParams: options.sessionParams ?? null,
        sessionDisplayId: null,
        taskKey: null,
      },
      config: {
        command: cli.bin,
        cwd: sandbox.cwd,
        promptTemplate: `You are {{agent.name}}. ${options.marker ?? "[[mock:success]]"}`,
        env: {
          HOME: sandbox.home,
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: FAKE_API_KEY,
          CLAUDE_CODE_MAX_RETRIES: "0",
          DISABLE_AUTOUPDATER: "1",
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
          // the test VM runs as root; Claude Code only accepts --dangerously-skip-permissions there in a sandbox
          IS_SANDBOX: "1",
        },
        graceSec: 3,
        ...options.config,
      },
      context: {},
      authToken: "paperclip-run-jwt-e2e-secret",
      signal: controller.signal,
      onLog: async (stream, chunk) => {
        run.logs.push({ stream, chunk });
        options.onLog?.(stream, chunk, run);
      },
      onMeta: async (meta) => {
        run.metas.push(meta);
      },
      onSpawn: async (info) => {
        run.spawns.push(info);
        options.onSpawn?.(info, run);
      },
      onCancellationReady: async () => {
        run.cancellationReady++;
      },
    },
  };
  return run;
}

/** Live (non-zombie) processes whose environment carries this run's id — the CLI and everything it started. */
export function processesOfRun(runId: string): number[] {
  const marker = Buffer.from(`PAPERCLIP_RUN_ID=${runId}\0`);
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`);
      if (environ.includes(marker)) found.push(Number(name));
    } catch {
      // gone, or a kernel thread
    }
  }
  const live = new Set(
    listProcesses()
      .filter((p) => p.state !== "Z")
      .map((p) => p.pid),
  );
  return found.filter((pid) => live.has(pid));
}

/** Live members of a process group. */
export function liveGroupMembers(processGroupId: number): number[] {
  return listProcesses()
    .filter((p) => p.processGroupId === processGroupId && p.state !== "Z")
    .map((p) => p.pid);
}

/** Every stdout line is newline-terminated and is either a CLI JSON event or an adapter `[paperclip]` note. */
export function stdoutLines(run: RecordedRun): string[] {
  return run.stdout().split("\n").slice(0, -1);
}
