import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SandboxError } from "./errors.js";
import { withLock } from "./lock.js";

describe("withLock", () => {
  const dirs: string[] = [];
  const lockFile = async () => {
    const d = await mkdtemp(join(tmpdir(), "lock-"));
    dirs.push(d);
    return join(d, "lock");
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("serialises holders and removes the file afterwards", async () => {
    const file = await lockFile();
    const order: string[] = [];
    let release!: () => void;
    const first = withLock(file, 5000, async () => {
      order.push("first in");
      await new Promise<void>((r) => {
        release = r;
      });
      order.push("first out");
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = withLock(file, 5000, async () => {
      order.push("second in");
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(["first in"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "first out", "second in"]);
    expect(existsSync(file)).toBe(false);
  });

  it("takes over a lock whose owner process is gone", async () => {
    const file = await lockFile();
    await writeFile(file, "999999999 12345");
    const result = await withLock(file, 2000, async () => readFile(file, "utf8"));
    expect(result.startsWith(`${process.pid} `)).toBe(true);
  });

  it("gives up with sandbox_busy while a live owner holds it", async () => {
    const file = await lockFile();
    let release!: () => void;
    const holder = withLock(file, 1000, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    const err = await withLock(file, 600, async () => "never").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe("sandbox_busy");
    release();
    await holder;
  });
});
