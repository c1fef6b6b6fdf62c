/**
 * Differential test: one corpus of wake contexts goes to run-core (`renderPrompt`, `buildRunEnv`) and to
 * Paperclip's own `claude_local` (`execute()` of `@paperclipai/adapter-claude-local`, CLI engine), whose
 * `claude` is a stub that records the stdin prompt, argv and env it was started with. Prompts must be equal,
 * and env equal except for the keys listed in CLAUDE_LOCAL_ONLY_KEYS, each with the reason.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdapterExecutionContext, AdapterInvocationMeta } from "@paperclipai/adapter-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRunEnv, REDACTED, redactEnv } from "./env.js";
import { type WakeCase, wakeCorpus } from "./parity.corpus.js";
import { renderPrompt } from "./prompt.js";

/**
 * Keys claude_local's run shows that are not part of Paperclip's run env, so a transport legitimately differs.
 * Only these may appear in claude_local's invocation env and not in ours.
 */
const CLAUDE_LOCAL_ONLY_KEYS: Record<string, string> = {
  HOME: "copied into the logged env from the Paperclip server's own process env; each transport sets its HOME (a pod's is its volume)",
  CLAUDE_CONFIG_DIR:
    "copied into the logged env from the server's process env (or set for bwrap/remote config dirs); where Claude keeps its config is the transport's business",
  PAPERCLIP_RESOLVED_COMMAND: "log-only: the local path the `claude` command resolved to on the server host",
};

const SESSION_ID = "0b7d3f7e-4f0a-4c53-9a8e-6f2d2c1b9a10";
const API_URL = "http://paperclip.test:3100";
const agent = {
  id: "agent-1",
  companyId: "co-1",
  name: "Ada",
  adapterType: "claude_local",
  adapterConfig: {},
};

interface Recorded {
  prompt: string;
  argv: string[];
  /** claude_local's run env: the stub's env restricted to the keys claude_local reports (onMeta.env). */
  env: Record<string, string>;
  /** claude_local's redacted invocation env, as Paperclip logs it. */
  loggedEnv: Record<string, string>;
}

let root = "";
let stub = "";
let recordFile = "";
const savedEnv = { ...process.env };
let execute: (ctx: AdapterExecutionContext) => Promise<unknown>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "run-core-parity-"));
  recordFile = join(root, "record.json");
  stub = join(root, "claude-stub.mjs");
  // The stub stands in for the `claude` CLI: records what it got, prints a minimal successful stream.
  await writeFile(
    stub,
    [
      "#!/usr/bin/env node",
      'import { readFileSync, writeFileSync } from "node:fs";',
      'const stdin = readFileSync(0, "utf8");',
      `writeFileSync(${JSON.stringify(recordFile)}, JSON.stringify({ stdin, argv: process.argv.slice(2), env: process.env }));`,
      `const session_id = ${JSON.stringify(SESSION_ID)};`,
      'console.log(JSON.stringify({ type: "system", subtype: "init", session_id, model: "stub" }));',
      'console.log(JSON.stringify({ type: "result", subtype: "success", is_error: false, result: "ok", session_id, usage: { input_tokens: 1, output_tokens: 1 } }));',
    ].join("\n"),
  );
  await chmod(stub, 0o755);
  for (const key of Object.keys(process.env)) if (key.startsWith("PAPERCLIP_")) delete process.env[key];
  process.env.PAPERCLIP_HOME = join(root, "paperclip-home");
  process.env.PAPERCLIP_API_URL = API_URL;
  await mkdir(process.env.PAPERCLIP_HOME, { recursive: true });
  ({ execute } = await import("@paperclipai/adapter-claude-local/server"));
}, 60_000);

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  if (root) await rm(root, { recursive: true, force: true });
});

function authToken(c: WakeCase): string | undefined {
  return c.authToken === null ? undefined : (c.authToken ?? "jwt.run-token");
}

async function runClaudeLocal(c: WakeCase): Promise<Recorded> {
  await rm(recordFile, { force: true });
  const metas: AdapterInvocationMeta[] = [];
  const logs: string[] = [];
  const ws = (c.context.paperclipWorkspace ?? {}) as { cwd?: string };
  const token = authToken(c);
  await execute({
    runId: "run-1",
    agent,
    runtime: {
      sessionId: null,
      sessionParams: c.resumed ? { sessionId: SESSION_ID, cwd: ws.cwd ?? process.cwd() } : null,
      sessionDisplayId: null,
      taskKey: null,
    },
    config: { engine: "cli", command: stub, ...c.config },
    context: structuredClone(c.context),
    ...(token === undefined ? {} : { authToken: token }),
    onLog: async (stream, chunk) => {
      logs.push(`[${stream}] ${chunk}`);
    },
    onMeta: async (meta) => {
      metas.push(meta);
    },
  } as AdapterExecutionContext);
  const raw = await readFile(recordFile, "utf8").catch(() => {
    throw new Error(`claude_local did not start the stub:\n${logs.join("")}`);
  });
  const rec = JSON.parse(raw) as { stdin: string; argv: string[]; env: Record<string, string> };
  const loggedEnv = (metas[0]?.env ?? {}) as Record<string, string>;
  expect(metas[0]?.prompt).toBe(rec.stdin);
  const env = Object.fromEntries(
    Object.keys(loggedEnv)
      .filter((key) => !(key in CLAUDE_LOCAL_ONLY_KEYS))
      .map((key) => [key, rec.env[key] as string]),
  );
  return { prompt: rec.stdin, argv: rec.argv, env, loggedEnv };
}

function ours(c: WakeCase) {
  const token = authToken(c);
  return {
    prompt: renderPrompt({
      runId: "run-1",
      agent,
      context: structuredClone(c.context),
      promptTemplate: c.config?.promptTemplate,
      bootstrapPromptTemplate: c.config?.bootstrapPromptTemplate,
      resumedSession: c.resumed === true,
    }),
    env: buildRunEnv({
      runId: "run-1",
      agent,
      context: structuredClone(c.context),
      authToken: token,
      userEnv: c.config?.env,
    }),
  };
}

const corpus = wakeCorpus("/parity-root");

describe("parity with claude_local", () => {
  it("has a corpus of at least 20 wake contexts covering every kind of wake", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
    const reasons = new Set(corpus.map((c) => (c.context.paperclipWake as { reason?: string })?.reason));
    for (const r of ["issue_assigned", "issue_commented", "agent_message", "source_scoped_recovery_action"])
      expect(reasons).toContain(r);
    expect(corpus.some((c) => c.resumed)).toBe(true);
    expect(corpus.some((c) => c.context.conversationMode === true)).toBe(true);
    expect(corpus.some((c) => "paperclipSessionHandoffMarkdown" in c.context)).toBe(true);
  });

  it.each(wakeCorpus("/parity-root").map((c) => [c.name, c] as const))(
    "%s: same prompt and env",
    async (_name, template) => {
      // Same case, rooted in this run's scratch dir (claude_local creates the workspace cwd).
      const c = wakeCorpus(root).find((x) => x.name === template.name) as WakeCase;
      const theirs = await runClaudeLocal(c);
      expect(theirs.argv.includes("--resume")).toBe(c.resumed === true);
      const mine = ours(c);
      expect(mine.prompt).toBe(theirs.prompt);
      expect(mine.env).toEqual(theirs.env);
      // Redaction: everything Paperclip masks in its log of this run, we mask too.
      const redacted = redactEnv(mine.env);
      for (const [key, value] of Object.entries(theirs.loggedEnv))
        if (value === REDACTED && key in redacted) expect(redacted[key], key).toBe(REDACTED);
    },
    30_000,
  );
});
