import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { summarizeFile } from "./summarize-file.js";
import { summarizeStdout } from "./summary.js";

const recording = fileURLToPath(new URL("../fixtures/2.1.330/success-tools/stdout.jsonl", import.meta.url));

describe("summarizeFile", () => {
  it("gives the same summary as summarizeStdout for any read size (one reused buffer)", async () => {
    const bytes = readFileSync(recording);
    const expected = summarizeStdout(bytes);
    expect(expected.status).toBe("success");
    for (const readBytes of [1, 13, 4096, 64 * 1024]) {
      expect(await summarizeFile(recording, { readBytes })).toEqual(expected);
    }
  });

  it("reads an open descriptor such as a pipe from another process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "claude-parse-"));
    const script = join(dir, "read-fd.mjs");
    const entry = pathToFileURL(fileURLToPath(new URL("./summarize-file.ts", import.meta.url))).href;
    writeFileSync(
      script,
      `const { summarizeFile } = await import(${JSON.stringify(entry)});\n` +
        "const s = await summarizeFile(0, { readBytes: 4096 });\n" +
        "process.stdout.write(JSON.stringify({ status: s.status, sessionId: s.sessionId, summary: s.summary }));\n",
    );
    // tsx runs the TypeScript source; the child reads fd 0 itself, never through process.stdin.
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stdin.end(readFileSync(recording));
    const code = await new Promise((resolve) => child.on("close", resolve));
    const expected = summarizeStdout(readFileSync(recording));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      status: "success",
      sessionId: expected.sessionId,
      summary: expected.summary,
    });
  }, 60_000);

  it("rejects a bad read size, naming the option", async () => {
    await expect(summarizeFile(recording, { readBytes: 0 })).rejects.toThrow(/options\.readBytes/);
  });
});
