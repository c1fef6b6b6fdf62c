import { mkdtemp, readdir, readFile, realpath, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  digestFiles,
  FILE_MODE,
  isSafeRelativePath,
  materializeContentAddressed,
  type RunFile,
  writeRunFiles,
} from "./run-files.js";

const f = (p: string, text: string, mode: number = FILE_MODE.regular): RunFile => ({
  path: p,
  content: Buffer.from(text),
  mode,
});

let base: string;
beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "run-files-test-")));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("digestFiles", () => {
  it("does not depend on order, and changes with any path, content or mode", () => {
    const set = [f("a/SKILL.md", "one"), f("b/x.sh", "two", 0o755)];
    const d = digestFiles(set);
    expect(digestFiles([...set].reverse())).toBe(d);
    const variants = [
      [f("a/SKILL.md", "one!"), set[1]],
      [f("a/skill.md", "one"), set[1]],
      [set[0], f("b/x.sh", "two", 0o644)],
      [set[0]],
      // the same bytes split differently between path and content
      [f("a/SKILL.mdo", "ne"), set[1]],
    ] as RunFile[][];
    for (const v of variants) expect(digestFiles(v)).not.toBe(d);
  });
});

describe("isSafeRelativePath", () => {
  it("accepts named segments only", () => {
    expect(isSafeRelativePath("a/b.md")).toBe(true);
    for (const bad of ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b", "a\0b", "a/"]) {
      expect(isSafeRelativePath(bad), bad).toBe(false);
    }
  });
});

describe("writeRunFiles / materializeContentAddressed", () => {
  it("writes each file with its mode, secrets 0600, and refuses unsafe or duplicate paths before writing", async () => {
    const root = path.join(base, "run");
    await writeRunFiles(root, [f("mcp/mcp-config.json", "{}", FILE_MODE.secret), f("x/run.sh", "#!", 0o755)]);
    expect((await stat(path.join(root, "mcp", "mcp-config.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(root, "x", "run.sh"))).mode & 0o777).toBe(0o755);
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    const other = path.join(base, "refused");
    await expect(writeRunFiles(other, [f("ok.md", "1"), f("../escape.md", "2")])).rejects.toThrow(/unsafe/);
    await expect(writeRunFiles(other, [f("a.md", "1"), f("a.md", "2")])).rejects.toThrow(/duplicate/);
    await expect(stat(other)).rejects.toThrow();
  });

  it("materialises a digest directory once and reuses it; no temporary directory is left", async () => {
    const parent = path.join(base, "cache");
    const files = [f("instructions/AGENTS.md", "v1")];
    const digest = digestFiles(files);
    const dir = await materializeContentAddressed(parent, digest, files);
    expect(dir).toBe(path.join(parent, digest));
    expect(await readFile(path.join(dir, "instructions", "AGENTS.md"), "utf8")).toBe("v1");
    // same digest: kept as is (content-addressed), nothing rewritten
    await materializeContentAddressed(parent, digest, [f("instructions/AGENTS.md", "other")]);
    expect(await readFile(path.join(dir, "instructions", "AGENTS.md"), "utf8")).toBe("v1");
    await Promise.all([1, 2, 3].map(() => materializeContentAddressed(parent, "ab".repeat(32), files)));
    expect((await readdir(parent)).sort()).toEqual([digest, "ab".repeat(32)].sort());
    await expect(materializeContentAddressed(parent, "../x", files)).rejects.toThrow(/not a digest/);
  });
});
