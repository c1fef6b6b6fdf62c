import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ensureClaudeCli } from "./install.js";
import { ClaudeCliError } from "./resolve.js";

const run = promisify(execFile);

// Real npm installs into a throwaway cache root (npm's own download cache keeps this fast after the first run).
describe("ensureClaudeCli (real npm)", () => {
  const roots: string[] = [];
  afterAll(async () => {
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  });

  async function freshRoot(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), "claude-cli-cache-"));
    roots.push(root);
    return root;
  }

  it("installs once for concurrent callers, atomically, and the entry runs", async () => {
    const cacheRoot = await freshRoot();
    const [a, b] = await Promise.all([
      ensureClaudeCli("1.0.128", { cacheRoot }),
      ensureClaudeCli("1.0.128", { cacheRoot }),
    ]);
    expect(a).toEqual(b);
    expect(a.kind).toBe("js");
    expect(a.dir).toBe(join(cacheRoot, "1.0.128"));
    expect(await readdir(cacheRoot)).toEqual(["1.0.128"]); // no temp dirs left behind
    const { stdout } = await run(a.bin, ["--version"]);
    expect(stdout).toContain("1.0.128");
    // second call is served from the cache
    expect(await ensureClaudeCli("1.0.128", { cacheRoot })).toEqual(a);
  }, 300_000);

  it("fails with an actionable error for a version npm does not have, leaving nothing behind", async () => {
    const cacheRoot = await freshRoot();
    await expect(ensureClaudeCli("0.0.1", { cacheRoot })).rejects.toThrow(
      /npm install @anthropic-ai\/claude-code@0.0.1 failed/,
    );
    expect(await readdir(cacheRoot)).toEqual([]);
  }, 300_000);

  it("refuses a range before touching npm", async () => {
    await expect(ensureClaudeCli("^2.1.0", { cacheRoot: "/nonexistent" })).rejects.toBeInstanceOf(
      ClaudeCliError,
    );
  });
});
