import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ChildRunOptions, type ChildSpawnInfo, startChildRun } from "./child-run.js";
import { listProcesses } from "./process-table.js";

const cwd = mkdtempSync(join(tmpdir(), "child-run-"));
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

function collect(overrides: Partial<ChildRunOptions> = {}) {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const spawns: ChildSpawnInfo[] = [];
  const options: ChildRunOptions = {
    timeoutSec: 0,
    graceSec: 1,
    afterResultGraceMs: 200,
    onSpawn: (info) => {
      spawns.push(info);
    },
    onStdout: (chunk) => {
      stdout.push(chunk);
    },
    onStderr: (chunk) => {
      stderr.push(chunk);
    },
    ...overrides,
  };
  return {
    options,
    spawns,
    stdout: () => Buffer.concat(stdout).toString("utf8"),
    stderr: () => Buffer.concat(stderr).toString("utf8"),
  };
}

function liveMembers(processGroupId: number) {
  return listProcesses().filter((p) => p.processGroupId === processGroupId && p.state !== "Z");
}

function sh(script: string, stdin = "") {
  return { command: "sh", args: ["-c", script], cwd, env, stdin };
}

describe("startChildRun", () => {
  it("delivers stdin, streams stdout/stderr and reports the exit code", async () => {
    const io = collect();
    const run = startChildRun(sh("cat; echo oops >&2; exit 3", "hello\n"), io.options);
    const outcome = await run.done;
    expect(outcome.exitCode).toBe(3);
    expect(outcome.signal).toBeNull();
    expect(outcome.stoppedBy).toBeNull();
    expect(io.stdout()).toBe("hello\n");
    expect(io.stderr()).toBe("oops\n");
    expect(io.spawns).toHaveLength(1);
    expect(io.spawns[0]?.processGroupId).toBe(io.spawns[0]?.pid);
  });

  it("runs the child in its own process group", async () => {
    const io = collect();
    const outcome = await startChildRun(sh("ps -o pgid= -p $$"), io.options).done;
    expect(Number(io.stdout().trim())).toBe(outcome.spawned?.pid);
    expect(outcome.spawned?.pid).not.toBe(process.pid);
  });

  it("reports a command that does not exist as a spawn error", async () => {
    const io = collect();
    const outcome = await startChildRun(
      { command: "/nonexistent/claude-xyz", args: [], cwd, env, stdin: "" },
      io.options,
    ).done;
    expect(outcome.spawned).toBeNull();
    expect(outcome.spawnError?.code).toBe("ENOENT");
    expect(io.spawns).toHaveLength(0);
  });

  it("ends the whole group on timeout, SIGKILL after the grace period when SIGTERM is ignored", async () => {
    const io = collect({ timeoutSec: 0.3, graceSec: 0.3 });
    const outcome = await startChildRun(sh("trap '' TERM; sleep 30 & sleep 30; wait"), io.options).done;
    expect(outcome.stoppedBy).toBe("timeout");
    expect(outcome.signal).toBe("SIGKILL");
    expect(liveMembers(outcome.spawned!.processGroupId)).toEqual([]);
  });

  it("cancels through the AbortSignal", async () => {
    const controller = new AbortController();
    const io = collect({
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    const outcome = await startChildRun(sh("echo started; sleep 30 & sleep 30"), io.options).done;
    expect(outcome.stoppedBy).toBe("cancelled");
    expect(outcome.signal).toBe("SIGTERM");
    expect(liveMembers(outcome.spawned!.processGroupId)).toEqual([]);
  });

  it("ends a process that keeps running after its terminal result", async () => {
    const io = collect({ afterResultGraceMs: 100 });
    const run = startChildRun(sh("echo result; exec sleep 30"), {
      ...io.options,
      onStdout: () => run.terminalResultSeen(),
    });
    const outcome = await run.done;
    expect(outcome.stoppedBy).toBe("after_result");
    expect(outcome.signal).toBe("SIGTERM");
  });

  it("ends group members left running after a normal exit", async () => {
    const io = collect();
    const outcome = await startChildRun(sh("sleep 30 >/dev/null 2>&1 & echo $!"), io.options).done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stoppedBy).toBeNull();
    const leftover = Number(io.stdout().trim());
    expect(liveMembers(outcome.spawned!.processGroupId)).toEqual([]);
    expect(listProcesses().find((p) => p.pid === leftover && p.state !== "Z")).toBeUndefined();
  });

  it("does not wait forever for a pipe held open by a process that left the group", async () => {
    const io = collect();
    // setsid moves the sleeper into a new session, so it keeps stdout open after the group is gone.
    const outcome = await startChildRun(sh("setsid sleep 3 & echo done"), io.options).done;
    expect(outcome.exitCode).toBe(0);
    expect(io.stdout()).toContain("done");
  });

  it("ends descendants that left the group (setsid) when they carry the run marker", async () => {
    const io = collect();
    const marker = { name: "CHILD_RUN_TEST_MARKER", value: `m-${process.pid}-${Date.now()}` };
    const outcome = await startChildRun(
      { ...sh("setsid sleep 30 >/dev/null 2>&1 </dev/null & echo $!"), marker },
      io.options,
    ).done;
    expect(outcome.exitCode).toBe(0);
    const escaped = Number(io.stdout().trim());
    expect(escaped).toBeGreaterThan(0);
    expect(listProcesses().find((p) => p.pid === escaped && p.state !== "Z")).toBeUndefined();
  });

  it("keeps streaming when a sink throws, and reports the first sink error", async () => {
    const io = collect({
      onStderr: () => {
        throw new Error("sink broke");
      },
    });
    const outcome = await startChildRun(sh("echo a >&2; echo b"), io.options).done;
    expect(outcome.exitCode).toBe(0);
    expect(io.stdout()).toBe("b\n");
    expect((outcome.sinkError as Error).message).toBe("sink broke");
  });
});
