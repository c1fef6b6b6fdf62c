import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { listProcesses, parseProcStat, processesWithEnv } from "./process-table.js";

describe("process table", () => {
  it("parses /proc/<pid>/stat even when the command name holds spaces and parentheses", () => {
    expect(parseProcStat("4242 (my (odd) name) S 1 4240 4240 0 -1 4194560")).toEqual({
      pid: 4242,
      state: "S",
      processGroupId: 4240,
    });
    expect(parseProcStat("garbage")).toBeNull();
  });

  it.skipIf(process.platform !== "linux")(
    "finds a process by a whole NAME=value entry of its environment",
    async () => {
      const child = spawn("sleep", ["30"], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", MARK: "abc" },
      });
      await new Promise((resolve) => child.once("spawn", resolve));
      try {
        expect(listProcesses().some((p) => p.pid === child.pid)).toBe(true);
        expect(processesWithEnv("MARK", "abc").map((p) => p.pid)).toEqual([child.pid]);
        expect(processesWithEnv("MARK", "ab")).toEqual([]);
        expect(processesWithEnv("ARK", "abc")).toEqual([]);
      } finally {
        child.kill("SIGKILL");
      }
    },
  );
});
