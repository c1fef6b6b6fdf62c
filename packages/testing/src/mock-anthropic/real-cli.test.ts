/**
 * The mock answered by the real `claude` CLI (installed from npm by ensureClaudeCli; CI installs it too, so
 * these always run). One mock server for the whole file; every test has its own HOME/project sandbox and
 * selects its scenario with a prompt marker, so the tests run concurrently.
 */
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { closeSync, constants, createReadStream, openSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeCli, ensureClaudeCli } from "../claude-cli/install.js";
import { CLAUDE_CLI_VERSIONS } from "../claude-cli/resolve.js";
import {
  type ClaudeRun,
  createRunSandbox,
  jsonLines,
  MOCK_API_KEY,
  mockClaudeEnv,
  runClaude,
} from "../claude-cli/run.js";
import { type ScenarioName, scenarioMarker } from "./scenarios.js";
import { type MockAnthropic, startMockAnthropic } from "./server.js";

const run = promisify(execFile);
const NEWEST = CLAUDE_CLI_VERSIONS[CLAUDE_CLI_VERSIONS.length - 1] as string;
const BASE_ARGS = ["--print", "--output-format", "stream-json", "--verbose"];
const TEST_TIMEOUT = 180_000;

let mock: MockAnthropic;
const clis = new Map<string, ClaudeCli>();

beforeAll(async () => {
  mock = await startMockAnthropic({ log: () => {} });
  for (const version of CLAUDE_CLI_VERSIONS) clis.set(version, await ensureClaudeCli(version));
}, 900_000);

afterAll(async () => {
  await mock?.close();
});

interface Scenario {
  readonly name: ScenarioName;
  readonly arg?: number;
  readonly args?: readonly string[];
  readonly version?: string;
  /** Put the marker into the API key too, so side requests fail like the main one. */
  readonly markKey?: boolean;
  readonly interruptWhen?: (line: string) => boolean;
}

interface Outcome extends ClaudeRun {
  readonly events: Array<Record<string, unknown>>;
  readonly result: Record<string, unknown> | undefined;
  readonly stderrText: string;
}

async function runScenario(s: Scenario): Promise<Outcome> {
  const cli = clis.get(s.version ?? NEWEST);
  if (cli === undefined) throw new Error(`claude ${s.version} was not installed`);
  const marker = scenarioMarker(s.name, s.arg);
  const sandbox = await createRunSandbox("claude-test-");
  try {
    const run = await runClaude({
      bin: cli.bin,
      args: [...BASE_ARGS, ...(s.args ?? [])],
      prompt: `Test prompt. ${marker}`,
      cwd: sandbox.project,
      env: mockClaudeEnv({
        baseUrl: mock.url,
        home: sandbox.home,
        apiKey: s.markKey ? `${MOCK_API_KEY}${marker}` : MOCK_API_KEY,
      }),
      ...(s.interruptWhen ? { interrupt: { when: s.interruptWhen, signal: "SIGTERM" as const } } : {}),
    });
    const events = jsonLines(run.stdout);
    return {
      ...run,
      events,
      result: events.findLast((e) => e.type === "result"),
      stderrText: run.stderr.toString(),
    };
  } finally {
    await sandbox.dispose();
  }
}

function ofType(events: Array<Record<string, unknown>>, type: string, subtype?: string) {
  return events.filter((e) => e.type === type && (subtype === undefined || e.subtype === subtype));
}

function contentBlocks(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return ofType(events, "assistant").flatMap(
    (e) =>
      ((e.message as { content?: Array<Record<string, unknown>> }).content ?? []) as Array<
        Record<string, unknown>
      >,
  );
}

describe.concurrent(`real claude CLI ${NEWEST} against the mock`, () => {
  it(
    "success: plain text, exit 0",
    async () => {
      const r = await runScenario({ name: "success" });
      expect(r.exitCode).toBe(0);
      expect(r.result).toMatchObject({
        subtype: "success",
        is_error: false,
        result: "Hello from the mock Anthropic API.",
      });
      expect(ofType(r.events, "system", "init")).toHaveLength(1);
    },
    TEST_TIMEOUT,
  );

  it(
    "success-tools: the CLI really runs Bash `echo hello` and sends the result back",
    async () => {
      const r = await runScenario({ name: "success-tools", args: ["--allowedTools", "Bash"] });
      expect(r.exitCode).toBe(0);
      const toolUse = contentBlocks(r.events).find((b) => b.type === "tool_use");
      expect(toolUse).toMatchObject({ name: "Bash", input: { command: "echo hello" } });
      const toolResults = ofType(r.events, "user").flatMap(
        (e) => (e.message as { content: Array<Record<string, unknown>> }).content,
      );
      expect(toolResults).toContainEqual(
        expect.objectContaining({ type: "tool_result", tool_use_id: toolUse?.id, content: "hello" }),
      );
      expect(r.result).toMatchObject({ subtype: "success", is_error: false, num_turns: 2 });
    },
    TEST_TIMEOUT,
  );

  it(
    "thinking: the thinking block and its signature reach the stream",
    async () => {
      const r = await runScenario({ name: "thinking" });
      expect(r.exitCode).toBe(0);
      expect(contentBlocks(r.events)).toContainEqual(
        expect.objectContaining({ type: "thinking", signature: expect.stringMatching(/.+/) }),
      );
      expect(r.result).toMatchObject({ result: "Here is a considered answer: 42." });
    },
    TEST_TIMEOUT,
  );

  it(
    "echo: the answer reports the prompt's length",
    async () => {
      const r = await runScenario({ name: "echo" });
      const prompt = `Test prompt. ${scenarioMarker("echo")}`;
      expect(r.result?.result).toBe(`Echo: the prompt has ${prompt.length} characters.`);
    },
    TEST_TIMEOUT,
  );

  it(
    "max-turns: --max-turns 1 trips with error_max_turns and exit 1",
    async () => {
      const r = await runScenario({
        name: "max-turns",
        args: ["--max-turns", "1", "--allowedTools", "Bash"],
      });
      expect(r.exitCode).toBe(1);
      expect(r.result).toMatchObject({
        subtype: "error_max_turns",
        is_error: true,
        errors: ["Reached maximum number of turns (1)"],
      });
    },
    TEST_TIMEOUT,
  );

  it(
    "unknown session: --resume <random uuid> fails before any turn",
    async () => {
      const id = randomUUID();
      const r = await runScenario({ name: "success", args: ["--resume", id] });
      expect(r.exitCode).toBe(1);
      expect(ofType(r.events, "system", "init")).toHaveLength(0);
      expect(r.result).toMatchObject({ subtype: "error_during_execution", is_error: true, num_turns: 0 });
      expect(r.result?.errors).toEqual([`No conversation found with session ID: ${id}`]);
      expect(r.stderrText).toContain(id);
    },
    TEST_TIMEOUT,
  );

  it.each([
    ["auth-401", 401, "Invalid API key"],
    ["rate-limit-429", 429, "Request rejected (429)"],
    ["overloaded-529", 529, "529 Overloaded"],
  ] as const)(
    "%s: retried, then a failed result carrying the API error",
    async (name, status, text) => {
      const r = await runScenario({ name, markKey: true, ...(name === "rate-limit-429" ? { arg: 1 } : {}) });
      expect(r.exitCode).toBe(1);
      const retries = ofType(r.events, "system", "api_retry");
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((e) => e.error_status === status)).toBe(true);
      expect(r.result).toMatchObject({ subtype: "success", is_error: true, api_error_status: status });
      expect(String(r.result?.result)).toContain(text);
    },
    TEST_TIMEOUT,
  );

  it(
    "credit-balance: 400 invalid_request_error becomes 'Credit balance is too low', no retries",
    async () => {
      const r = await runScenario({ name: "credit-balance", markKey: true });
      expect(r.exitCode).toBe(1);
      expect(ofType(r.events, "system", "api_retry")).toHaveLength(0);
      expect(r.result).toMatchObject({ is_error: true, result: "Credit balance is too low" });
    },
    TEST_TIMEOUT,
  );

  it(
    "slow + SIGTERM mid-stream: exit 143 and no result",
    async () => {
      const r = await runScenario({
        name: "slow",
        arg: 60,
        interruptWhen: (line) => line.includes('"type":"assistant"'),
      });
      expect(r.interrupted).toBe(true);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(143);
      expect(r.result).toBeUndefined();
      expect(contentBlocks(r.events)).toContainEqual({ type: "text", text: "Starting a long answer." });
    },
    TEST_TIMEOUT,
  );

  it(
    "partial messages: stream_events carry every delta kind of the tool flow",
    async () => {
      const r = await runScenario({
        name: "success-tools",
        args: ["--include-partial-messages", "--allowedTools", "Bash"],
      });
      expect(r.exitCode).toBe(0);
      const deltaTypes = new Set(
        ofType(r.events, "stream_event")
          .map((e) => e.event as { type: string; delta?: { type: string } })
          .filter((ev) => ev.type === "content_block_delta")
          .map((ev) => ev.delta?.type),
      );
      expect(deltaTypes).toEqual(new Set(["text_delta", "input_json_delta"]));
      const starts = ofType(r.events, "stream_event").filter(
        (e) => (e.event as { type: string }).type === "message_start",
      );
      expect(starts).toHaveLength(2);
    },
    TEST_TIMEOUT,
  );

  it(
    "hang-after-result: with stdout on a real pipe (like container logs) the CLI exits after its result, EOF comes later",
    async () => {
      const cli = clis.get(NEWEST) as ClaudeCli;
      const sandbox = await createRunSandbox("claude-test-");
      try {
        // Node's own stdio pipes are socketpairs, which /proc/<pid>/fd/1 cannot reopen; a FIFO is a real pipe.
        const fifo = join(sandbox.base, "stdout.fifo");
        await run("mkfifo", [fifo]);
        // Open the write side O_RDWR first (never blocks on Linux), so opening the reader does not block either.
        const writeFd = openSync(fifo, constants.O_RDWR);
        const reader = createReadStream(fifo);
        await once(reader, "open");
        const child = spawn(cli.bin, [...BASE_ARGS, "--allowedTools", "Bash"], {
          cwd: sandbox.project,
          env: mockClaudeEnv({ baseUrl: mock.url, home: sandbox.home }),
          stdio: ["pipe", writeFd, "ignore"],
        });
        closeSync(writeFd);
        child.stdin?.end(`Test prompt. ${scenarioMarker("hang-after-result", 20)}`);
        let stdout = "";
        let stdoutEnded = false;
        reader.on("data", (c) => {
          stdout += c.toString();
        });
        const ended = new Promise<void>((resolve) =>
          reader.on("end", () => {
            stdoutEnded = true;
            resolve();
          }),
        );
        const exit = await new Promise<{ code: number | null; stdoutEndedAtExit: boolean }>((resolve) =>
          child.once("exit", (code) => resolve({ code, stdoutEndedAtExit: stdoutEnded })),
        );
        expect(exit).toEqual({ code: 0, stdoutEndedAtExit: false });
        await ended;
        expect(jsonLines(stdout).findLast((e) => e.type === "result")).toMatchObject({
          subtype: "success",
          is_error: false,
        });
      } finally {
        await sandbox.dispose();
      }
    },
    TEST_TIMEOUT,
  );
});

describe.concurrent("every pinned claude CLI version runs the tool flow against the mock", () => {
  it.each(CLAUDE_CLI_VERSIONS.map((v) => [v]))(
    "%s",
    async (version) => {
      const r = await runScenario({ name: "success-tools", version, args: ["--allowedTools", "Bash"] });
      expect(r.exitCode).toBe(0);
      expect(r.result).toMatchObject({
        subtype: "success",
        is_error: false,
        result: "The command printed hello. All done.",
      });
    },
    TEST_TIMEOUT,
  );
});
