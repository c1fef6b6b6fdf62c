import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SandboxError } from "./errors.js";
import { processStartTime } from "./processes.js";

/**
 * A cross-process lock file (O_EXCL create holding "<pid> <starttime>"). Concurrent `up`s (two e2e suites
 * starting at once) serialise on it: the second waits, then finds the cluster running and reuses it.
 * A lock whose owner is gone is taken over.
 */
export async function withLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const me = `${process.pid} ${processStartTime(process.pid) ?? ""}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (ownerGone(file)) {
        try {
          unlinkSync(file);
        } catch {
          // someone else took it over first
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new SandboxError(
          "sandbox_busy",
          `another sandbox command holds ${file}; wait for it or remove the file`,
        );
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(file, "utf8") === me) unlinkSync(file);
    } catch {
      // already removed
    }
  }
}

function ownerGone(file: string): boolean {
  try {
    const [pid, start] = readFileSync(file, "utf8").split(" ");
    return processStartTime(Number(pid)) !== start;
  } catch {
    return false;
  }
}
