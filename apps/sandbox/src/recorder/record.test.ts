import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFixture } from "./record.js";

describe("writeFixture", () => {
  it("overwrites the recording and never touches expected.json beside it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fixture-write-"));
    try {
      await writeFile(join(dir, "expected.json"), '{"hand":"checked"}\n');
      await writeFile(join(dir, "stdout.jsonl"), "old\n");
      const meta = {
        cliVersion: "2.1.330",
        scenario: "resume-success",
        argv: ["--print"],
        exitCode: 0,
        signal: null,
        durationMs: 1,
        prompt: "p",
        description: "d",
      };
      await writeFixture(dir, { stdout: "new\n", stderr: "", meta });
      expect(await readFile(join(dir, "expected.json"), "utf8")).toBe('{"hand":"checked"}\n');
      expect(await readFile(join(dir, "stdout.jsonl"), "utf8")).toBe("new\n");
      expect((await readdir(dir)).sort()).toEqual([
        "expected.json",
        "meta.json",
        "stderr.txt",
        "stdout.jsonl",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
