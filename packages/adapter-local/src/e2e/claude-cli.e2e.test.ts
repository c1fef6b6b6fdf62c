/**
 * claude_cli against the REAL Claude Code CLI from npm (several versions) and the mock Anthropic API.
 * Run: pnpm --filter @paperclip-k8s/adapter-local test:e2e
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { AdapterExecutionResult } from "@paperclip-k8s/run-core";
import type { ClaudeCli, MockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { execute } from "../execute.js";
import { MAX_LOG_CHUNK_CHARS } from "../run/output.js";
import {
  delayedStartWrapper,
  FAKE_API_KEY,
  installCli,
  lingeringWrapper,
  liveGroupMembers,
  makeSandbox,
  processesOfRun,
  type RecordedRun,
  type RunOptions,
  recordedRun,
  startMock,
  stdoutLines,
  writeManagedInstructions,
} from "./harness.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let mock: MockAnthropic;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock?.close();
});

/** Every run must leave nothing behind: no live process of its group, none carrying its run id. */
const finishedRuns: RecordedRun[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const run of finishedRuns.splice(0)) {
    expect(processesOfRun(run.ctx.runId)).toEqual([]);
    for (const spawn of run.spawns) {
      expect(spawn.processGroupId).toBe(spawn.pid);
      expect(liveGroupMembers(spawn.pid)).toEqual([]);
    }
  }
});

async function runOnce(
  cli: ClaudeCli,
  options: Omit<RunOptions, "cli" | "mock">,
): Promise<{ run: RecordedRun; result: AdapterExecutionResult }> {
  const run = recordedRun({ cli, mock, ...options });
  finishedRuns.push(run);
  const result = await execute(run.ctx);
  return { run, result };
}

function expectWellFormedStdout(run: RecordedRun) {
  expect(run.stdout().endsWith("\n")).toBe(true);
  for (const log of run.logs) expect(log.chunk.length).toBeLessThanOrEqual(MAX_LOG_CHUNK_CHARS);
  for (const line of stdoutLines(run)) {
    if (line.startsWith("[paperclip] ")) continue;
    expect(() => JSON.parse(line), line.slice(0, 200)).not.toThrow();
  }
}

describe.each(["2.1.330", "2.0.77", "1.0.128"])("claude %s", (version) => {
  let cli: ClaudeCli;
  beforeAll(async () => {
    cli = await installCli(version);
  });

  it("runs a prompt to success, streaming stdout live and reporting usage and session", async () => {
    const sandbox = makeSandbox();
    const { run, result } = await runOnce(cli, { sandbox });
    expect(result.errorCode ?? null).toBeNull();
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, usageBasis: "per_run" });
    expect(result.sessionId).toMatch(UUID);
    expect(result.sessionParams).toEqual({
      sessionId: result.sessionId,
      cwd: sandbox.cwd,
      claudeHome: `${sandbox.home}/.claude`,
      // what the session was made with: the run bundle (skills, instructions) and the MCP servers (none here)
      promptBundleKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      mcpServerIdentity: "[]",
    });
    expect(result.summary).toContain("Hello from the mock Anthropic API");
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    expectWellFormedStdout(run);
    expect(stdoutLines(run).some((l) => l.includes('"type":"result"'))).toBe(true);

    expect(run.cancellationReady).toBe(1);
    expect(run.spawns).toHaveLength(1);
    expect(run.spawns[0]?.processGroupId).toBe(run.spawns[0]?.pid);
    const meta = run.metas[0];
    expect(meta?.adapterType).toBe("claude_cli");
    expect(meta?.commandArgs).toEqual(expect.arrayContaining(["--print", "--output-format", "stream-json"]));
    expect(meta?.env?.ANTHROPIC_API_KEY).toBe("***REDACTED***");
    expect(meta?.env?.PAPERCLIP_API_KEY).toBe("***REDACTED***");
    expect(JSON.stringify(run.metas)).not.toContain(FAKE_API_KEY);
    expect(meta?.env?.PAPERCLIP_RUN_ID).toBe(run.ctx.runId);
  });

  it("resumes the stored session on the next run", async () => {
    const sandbox = makeSandbox();
    const first = await runOnce(cli, { sandbox });
    expect(first.result.sessionId).toMatch(UUID);
    const second = await runOnce(cli, { sandbox, sessionParams: first.result.sessionParams ?? null });
    expect(second.result.errorCode ?? null).toBeNull();
    expect(second.run.metas[0]?.commandArgs).toEqual(
      expect.arrayContaining(["--resume", first.result.sessionId as string]),
    );
    expect(second.result.sessionId).toBe(first.result.sessionId);
    expect(second.result.clearSession).toBeUndefined();
  });

  it("does not resume a session created in another working directory", async () => {
    const sandbox = makeSandbox();
    const stored = { sessionId: randomUUID(), cwd: "/somewhere/else" };
    const { run, result } = await runOnce(cli, { sandbox, sessionParams: stored });
    expect(result.errorCode ?? null).toBeNull();
    expect(run.metas).toHaveLength(1);
    expect(run.metas[0]?.commandArgs).not.toContain("--resume");
    expect(run.stdout()).toContain(
      `[paperclip] session ${stored.sessionId} will not be resumed: it was created in /somewhere/else`,
    );
  });

  it("retries once with a fresh session when the stored one is unknown", async () => {
    const sandbox = makeSandbox();
    const stale = randomUUID();
    const { run, result } = await runOnce(cli, {
      sandbox,
      sessionParams: { sessionId: stale, cwd: sandbox.cwd },
    });
    expect(run.metas).toHaveLength(2);
    expect(run.metas[0]?.commandArgs).toEqual(expect.arrayContaining(["--resume", stale]));
    expect(run.metas[1]?.commandArgs).not.toContain("--resume");
    expect(run.spawns).toHaveLength(2);
    expect(run.stdout()).toContain(
      `[paperclip] session ${stale} is unknown to the CLI; retrying once with a fresh session`,
    );
    expect(result.errorCode ?? null).toBeNull();
    expect(result.exitCode).toBe(0);
    // the fresh session replaces the stale one
    expect(result.sessionId).toMatch(UUID);
    expect(result.sessionId).not.toBe(stale);
    expect(result.clearSession).toBeUndefined();
  });

  it("reports max turns as max_turns_exhausted and clears the session", async () => {
    const sandbox = makeSandbox();
    const { result } = await runOnce(cli, {
      sandbox,
      marker: "[[mock:max-turns]]",
      config: { maxTurnsPerRun: 1 },
    });
    expect(result.errorCode).toBe("max_turns_exhausted");
    expect(result.clearSession).toBe(true);
    expect(result.sessionParams).toBeNull();
    expect(result.resultJson?.stopReason).toBe("max_turns");
  });

  it("reports an invalid API key as claude_auth_required", async () => {
    const { result } = await runOnce(cli, { sandbox: makeSandbox(), marker: "[[mock:auth-401]]" });
    expect(result.errorCode).toBe("claude_auth_required");
    expect(result.exitCode).not.toBe(0);
  });

  it.each([
    ["[[mock:rate-limit-429]]", "claude_transient_upstream", "transient_upstream"],
    ["[[mock:overloaded-529]]", "claude_transient_upstream", "transient_upstream"],
    ["[[mock:credit-balance]]", "provider_quota", "provider_quota"],
  ])("classifies %s as %s", async (marker, errorCode, errorFamily) => {
    const { result } = await runOnce(cli, { sandbox: makeSandbox(), marker });
    expect(result.errorCode).toBe(errorCode);
    expect(result.errorFamily).toBe(errorFamily);
    expect(result.resultJson?.errorFamily).toBe(errorFamily);
  });

  it("ends a CLI that lingers after its result and reports the run as succeeded", async () => {
    const sandbox = makeSandbox();
    const { run, result } = await runOnce(cli, {
      sandbox,
      config: { command: lingeringWrapper(sandbox, cli.bin, 300), terminalResultCleanupGraceMs: 300 },
    });
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(result.errorCode ?? null).toBeNull();
    expect(result.resultJson?.processEndedAfterResult).toBe(true);
    expect(run.spawns).toHaveLength(1);
  });
});

describe("claude 2.1.330: failures, limits and cancellation", () => {
  let cli: ClaudeCli;
  beforeAll(async () => {
    cli = await installCli("2.1.330");
  });

  it("times out: SIGTERM to the process group, reported as timeout", async () => {
    const sandbox = makeSandbox();
    const { run, result } = await runOnce(cli, {
      sandbox,
      marker: "[[mock:slow-tool:120]]",
      // the shortest run timeout the shared config accepts (0 or at least 10 s, the same rule as claude_k8s)
      config: { timeoutSec: 10, graceSec: 2 },
    });
    expect(result.timedOut).toBe(true);
    expect(result.errorCode).toBe("timeout");
    expect(run.spawns).toHaveLength(1);
  });

  it("refuses a run timeout under 10 s as adapter_config_invalid before starting anything", async () => {
    const { run, result } = await runOnce(cli, {
      sandbox: makeSandbox(),
      config: { timeoutSec: 4, graceSec: 2 },
    });
    expect(result.errorCode).toBe("adapter_config_invalid");
    expect(result.errorMeta).toMatchObject({ fields: ["timeoutSec"] });
    expect(run.spawns).toHaveLength(0);
  });

  it("cancels through ctx.signal while a tool is running", async () => {
    const sandbox = makeSandbox();
    const { run, result } = await runOnce(cli, {
      sandbox,
      marker: "[[mock:slow-tool:120]]",
      onLog: (stream, chunk, r) => {
        // abort once the Bash tool started its long command
        if (stream === "stdout" && chunk.includes("echo started")) r.controller.abort();
      },
    });
    expect(run.controller.signal.aborted).toBe(true);
    expect(result.errorCode).toBe("cancelled");
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(run.cancellationReady).toBe(1);
  });

  it("appends the instructions file on a fresh session only and stores it with the session", async () => {
    const sandbox = makeSandbox();
    const { home, file: instructionsFilePath } = writeManagedInstructions(
      sandbox,
      "Always answer briefly.\n",
    );
    vi.stubEnv("PAPERCLIP_HOME", home);
    vi.stubEnv("PAPERCLIP_INSTANCE_ID", "default");
    // outside the agent's managed bundle: refused before anything starts (the same rule as claude_k8s)
    const outside = `${sandbox.root}/AGENTS.md`;
    writeFileSync(outside, "Always answer briefly.\n");
    const refused = await runOnce(cli, { sandbox, config: { instructionsFilePath: outside } });
    expect(refused.result.errorCode).toBe("adapter_config_invalid");
    expect(refused.result.errorMeta).toMatchObject({ fields: ["instructionsFilePath"] });
    expect(refused.run.spawns).toHaveLength(0);
    const first = await runOnce(cli, { sandbox, config: { instructionsFilePath } });
    expect(first.result.errorCode ?? null).toBeNull();
    // the CLI reads the shipped copy of the entry in the run bundle (issue 14), made from the configured file
    const args = first.run.metas[0]?.commandArgs ?? [];
    expect(args).toContain("--append-system-prompt-file");
    const shipped = args[args.indexOf("--append-system-prompt-file") + 1] ?? "";
    expect(shipped).toMatch(
      new RegExp(
        `^${home}/instances/default/companies/company-e2e/claude-run-bundles/[0-9a-f]+/instructions/AGENTS\\.md$`,
      ),
    );
    expect(readFileSync(shipped, "utf8")).toContain("Always answer briefly.");
    // the session records the configured file, so a changed configuration starts a fresh session
    expect(first.result.sessionParams).toMatchObject({ instructionsFilePath });
    const second = await runOnce(cli, {
      sandbox,
      config: { instructionsFilePath },
      sessionParams: first.result.sessionParams ?? null,
    });
    expect(second.result.errorCode ?? null).toBeNull();
    expect(second.run.metas[0]?.commandArgs).toContain("--resume");
    expect(second.run.metas[0]?.commandArgs).not.toContain("--append-system-prompt-file");
    expect(second.result.sessionId).toBe(first.result.sessionId);
  });

  it("does not start the CLI when the run is already cancelled", async () => {
    const run = recordedRun({ cli, mock, sandbox: makeSandbox() });
    finishedRuns.push(run);
    run.controller.abort();
    const result = await execute(run.ctx);
    expect(result.errorCode).toBe("cancelled");
    expect(run.spawns).toHaveLength(0);
  });

  it("ends a helper that keeps the CLI's stdout open after the result (hang-after-result)", async () => {
    const sandbox = makeSandbox();
    const { run, result } = await runOnce(cli, {
      sandbox,
      marker: "[[mock:hang-after-result:300]]",
      config: { terminalResultCleanupGraceMs: 300 },
    });
    expect(result.errorCode ?? null).toBeNull();
    expect(result.exitCode).toBe(0);
    expect(run.spawns).toHaveLength(1);
  });
});

describe.each(["2.1.330", "2.0.77"])(
  "claude %s: runs killed at random moments leave no process behind",
  (version) => {
    let cli: ClaudeCli;
    beforeAll(async () => {
      cli = await installCli(version);
    });

    type Kill = "abort" | "sigkill-cli" | "timeout";
    const modes: Kill[] = ["abort", "sigkill-cli", "timeout"];
    // E2E_RANDOM_KILLS=40 for a longer soak
    const kills = Array.from(
      { length: Number(process.env.E2E_RANDOM_KILLS ?? 8) },
      (_, i) => modes[i % 3] as Kill,
    );

    it.each(kills.map((kill, i) => [i, kill] as const))("run %i: %s at a random moment", async (_i, kill) => {
      const delayMs = Math.floor(Math.random() * 3_000);
      let timer: NodeJS.Timeout | undefined;
      const sandbox = makeSandbox();
      // timeoutSec is 0 or an integer of at least 10: the CLI starts after a lead, so the 10 s timeout still hits
      // it 1-4 s into its run, as often during startup as during the tool
      const delayedCli = () => delayedStartWrapper(sandbox, cli.bin, 10 - (1 + delayMs / 1000));
      const { run, result } = await runOnce(cli, {
        sandbox,
        marker: "[[mock:slow-tool:120]]",
        config: kill === "timeout" ? { command: delayedCli(), timeoutSec: 10, graceSec: 1 } : { graceSec: 1 },
        onSpawn: (info, r) => {
          timer = setTimeout(() => {
            if (kill === "abort") r.controller.abort();
            if (kill === "sigkill-cli") process.kill(info.pid, "SIGKILL");
          }, delayMs);
        },
      });
      clearTimeout(timer);
      expect(run.spawns).toHaveLength(1);
      expect(result.exitCode).not.toBe(0);
      expect(result.errorCode).toBe(
        { abort: "cancelled", "sigkill-cli": "claude_killed", timeout: "timeout" }[kill],
      );
    });
  },
);
