import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { createRunSandbox, jsonLines, killTaggedProcesses, RUN_TAG_VAR, runClaude } from "./run.js";

describe("runClaude process handling (with /bin/sh standing in for the CLI)", () => {
  it("feeds stdin, captures both streams and the exit code", async () => {
    const sandbox = await createRunSandbox();
    try {
      const run = await runClaude({
        bin: "/bin/sh",
        args: [
          "-c",
          'read line; printf "{\\"type\\":\\"result\\",\\"got\\":\\"%s\\"}\\n" "$line"; echo oops >&2; exit 3',
        ],
        prompt: "hello\n",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        cwd: sandbox.project,
      });
      expect(run.exitCode).toBe(3);
      expect(jsonLines(run.stdout)).toEqual([{ type: "result", got: "hello" }]);
      expect(run.stderr.toString()).toBe("oops\n");
      expect(run.leftoversKilled).toBe(0);
    } finally {
      await sandbox.dispose();
    }
  });

  it("signals on a matching line and sweeps processes that escaped the process group", async () => {
    const sandbox = await createRunSandbox();
    try {
      const run = await runClaude({
        bin: "/bin/sh",
        // a detached grandchild in its own session, like a tool shell, then a long wait
        args: [
          "-c",
          // (the line is printed only once the grandchild has exec'd sleep, so the sweep cannot race its exec)
          "setsid sleep 300 >/dev/null 2>&1 </dev/null & " +
            'while [ "$(cat /proc/$!/comm 2>/dev/null)" != sleep ]; do :; done; ' +
            'echo \'{"type":"assistant"}\'; exec sleep 300',
        ],
        prompt: "",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        cwd: sandbox.project,
        interrupt: { when: (line) => line.includes('"assistant"'), signal: "SIGTERM" },
      });
      expect(run.interrupted).toBe(true);
      expect(run.signal).toBe("SIGTERM");
      expect(run.leftoversKilled).toBe(1);
    } finally {
      await sandbox.dispose();
    }
  });
});

describe("killTaggedProcesses", () => {
  it("kills only processes carrying the tag", async () => {
    const tagged = spawn("sleep", ["300"], {
      env: { ...process.env, [RUN_TAG_VAR]: "tag-a" },
      detached: true,
    });
    const other = spawn("sleep", ["300"], {
      env: { ...process.env, [RUN_TAG_VAR]: "tag-b" },
      detached: true,
    });
    await Promise.all([once(tagged, "spawn"), once(other, "spawn")]);
    const exited = once(tagged, "exit");
    try {
      expect(await killTaggedProcesses("tag-a")).toBe(1);
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(signal).toBe("SIGKILL");
      expect(other.exitCode).toBeNull();
      expect(other.signalCode).toBeNull();
    } finally {
      tagged.kill("SIGKILL");
      other.kill("SIGKILL");
    }
  });
});
