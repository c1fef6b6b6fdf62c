import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { classifyRun } from "../classify.js";
import { type RunSummary, summarizeStdout } from "../summary.js";

/** packages/claude-parse/fixtures/<cli-version>/<scenario>/{stdout.jsonl,stderr.txt,meta.json[,expected.json]} */
export const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures", import.meta.url));

export interface FixtureMeta {
  cliVersion: string;
  scenario: string;
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  durationMs?: number;
}

export interface Fixture {
  id: string;
  dir: string;
  meta: FixtureMeta;
  stdout: Uint8Array;
  stderr: string;
}

/** Every directory holding a meta.json and a stdout.jsonl, at any depth. */
export function listFixtures(root = FIXTURES_DIR): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, "meta.json")) && existsSync(join(dir, "stdout.jsonl"))) out.push(dir);
    for (const name of readdirSync(dir).sort()) {
      const child = join(dir, name);
      if (statSync(child).isDirectory()) walk(child);
    }
  };
  walk(root);
  return out;
}

export function loadFixture(dir: string): Fixture {
  const stderrFile = join(dir, "stderr.txt");
  return {
    id: relative(FIXTURES_DIR, dir),
    dir,
    meta: JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as FixtureMeta,
    stdout: new Uint8Array(readFileSync(join(dir, "stdout.jsonl"))),
    stderr: existsSync(stderrFile) ? readFileSync(stderrFile, "utf8") : "",
  };
}

/**
 * Token counts and cost change whenever a scenario is re-recorded (the CLI's system prompt varies), so
 * they are checked only against the exact recording they were reviewed on.
 */
export interface VolatileExpectation {
  stdoutSha256: string;
  usage: RunSummary["usage"];
  costUsd: number | null;
}

/** The hand-checked facts stored in expected.json. */
export interface FixtureExpectation {
  status: RunSummary["status"];
  /** "from-init": the session id of the recording's init line; "none": no resumable session. */
  session: "from-init" | "none" | string;
  model: string | null;
  cliVersion: string | null;
  resultCount: number;
  usageSource: RunSummary["usageSource"];
  summary: string | null;
  counts: RunSummary["counts"];
  errorCode: string | null;
  errorFamily: string | null;
  clearSession: boolean;
  hasRetryNotBefore: boolean;
  loginUrl: string | null;
  volatile: VolatileExpectation;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function initSessionId(stdout: Uint8Array): string | undefined {
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    if (!line.includes('"init"')) continue;
    try {
      const ev = JSON.parse(line) as { type?: string; subtype?: string; session_id?: string };
      if (ev.type === "system" && ev.subtype === "init") return ev.session_id;
    } catch {
      // not an event line
    }
  }
  return undefined;
}

export function expectationOf(fx: Fixture): FixtureExpectation {
  const s = summarizeStdout(fx.stdout);
  const c = classifyRun({
    summary: s,
    exitCode: fx.meta.exitCode,
    signal: fx.meta.signal,
    stderr: fx.stderr,
  });
  return {
    status: s.status,
    session:
      s.sessionId === null ? "none" : s.sessionId === initSessionId(fx.stdout) ? "from-init" : s.sessionId,
    model: s.model,
    cliVersion: s.cliVersion,
    resultCount: s.resultCount,
    usageSource: s.usageSource,
    summary: s.summary,
    counts: s.counts,
    errorCode: c.errorCode,
    errorFamily: c.errorFamily,
    clearSession: c.clearSession,
    hasRetryNotBefore: c.retryNotBefore !== null,
    loginUrl: typeof c.errorMeta?.loginUrl === "string" ? c.errorMeta.loginUrl : null,
    volatile: { stdoutSha256: sha256(fx.stdout), usage: s.usage, costUsd: s.costUsd },
  };
}
