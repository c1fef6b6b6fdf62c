import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { killByEnv, signalTarget, stopTarget, targetAlive } from "./process-tree.js";

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
});

/** A detached shell (its own process group) running `script`; resolves once it runs. */
async function shell(
  script: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess & { pid: number }> {
  const child = spawn("sh", ["-c", script], { detached: true, stdio: "ignore", env });
  started.push(child);
  await once(child, "spawn");
  return child as ChildProcess & { pid: number };
}

/** pids of the group, from `ps`, once `count` of them are up. */
async function groupMembers(group: number, count: number): Promise<number[]> {
  for (let i = 0; i < 50; i++) {
    const out = await new Promise<string>((resolve) => {
      const ps = spawn("ps", ["-o", "pid=", "-g", String(group)]);
      let text = "";
      ps.stdout.on("data", (c: Buffer) => {
        text += c.toString();
      });
      ps.on("close", () => resolve(text));
    });
    const pids = out.split("\n").map(Number).filter(Boolean);
    if (pids.length >= count) return pids;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`group ${group} never had ${count} processes`);
}

describe("signalTarget", () => {
  it("reaches every process of a group, and says false once nothing is left", async () => {
    const leader = await shell("sleep 300 & sleep 300 & wait");
    const members = await groupMembers(leader.pid, 3);
    expect(targetAlive({ group: leader.pid })).toBe(true);
    expect(signalTarget({ group: leader.pid }, "SIGKILL")).toBe(true);
    await once(leader, "exit");
    for (let i = 0; i < 50 && targetAlive({ group: leader.pid }); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(members.every((pid) => !targetAlive({ pid }))).toBe(true);
    expect(signalTarget({ group: leader.pid }, "SIGTERM")).toBe(false);
  });

  it("refuses pids that would signal this process's group or every process", () => {
    expect(() => signalTarget({ pid: 0 }, 0)).toThrow(RangeError);
    expect(() => signalTarget({ group: 1 }, 0)).toThrow(RangeError);
    expect(() => signalTarget({ pid: -1 }, 0)).toThrow(RangeError);
  });
});

describe("stopTarget", () => {
  it("a process that honours the polite signal is never sent SIGKILL", async () => {
    const child = await shell("trap 'exit 7' TERM; while :; do sleep 0.05; done");
    await new Promise((r) => setTimeout(r, 200)); // let the trap be installed
    const exit = once(child, "exit");
    expect(await stopTarget({ pid: child.pid }, { graceMs: 5000 })).toBe(true);
    expect(await exit).toEqual([7, null]);
  });

  it("SIGKILLs what ignores the polite signal after the grace period", async () => {
    const child = await shell("trap '' TERM; while :; do sleep 0.05; done");
    await new Promise((r) => setTimeout(r, 200));
    const exit = once(child, "exit");
    const t0 = Date.now();
    expect(await stopTarget({ group: child.pid }, { graceMs: 300 })).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await exit).toEqual([null, "SIGKILL"]);
  });

  it("sends nothing when the alive check says it is already gone", async () => {
    const child = await shell("sleep 300");
    expect(await stopTarget({ pid: child.pid }, { graceMs: 100, alive: () => false })).toBe(true);
    expect(targetAlive({ pid: child.pid })).toBe(true);
  });
});

describe("killByEnv", () => {
  it("kills exactly the processes whose environment holds the tag, wherever their group", async () => {
    const tag = `t${process.pid}${Date.now()}`;
    const tagged = await shell("exec sleep 300", { ...process.env, PROCESS_TREE_TEST: tag });
    const prefixed = await shell("exec sleep 300", { ...process.env, PROCESS_TREE_TEST: `${tag}x` });
    const exit = once(tagged, "exit");
    expect(await killByEnv("PROCESS_TREE_TEST", tag)).toBe(1);
    expect((await exit)[1]).toBe("SIGKILL");
    expect(targetAlive({ pid: prefixed.pid })).toBe(true);
  });
});
