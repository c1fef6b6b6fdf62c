/**
 * Record fixtures: run each real claude CLI version against the mock Anthropic API for each scenario and
 * store `<fixturesDir>/<version>/<scenario>/{stdout.jsonl,stderr.txt,meta.json}`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ClaudeCli,
  createRunSandbox,
  ensureClaudeCli,
  jsonLines,
  MOCK_API_KEY,
  type MockAnthropic,
  mockClaudeEnv,
  type RunSandbox,
  runClaude,
  startMockAnthropic,
} from "@paperclip-k8s/testing";
import { apiKeyFor, BASE_ARGS, promptFor, type RecordingScenario } from "./scenarios.js";
import { type ScrubRule, scrub, scrubRules } from "./scrub.js";

export const DEFAULT_FIXTURES_DIR = fileURLToPath(
  new URL("../../../../packages/claude-parse/fixtures/", import.meta.url),
);

/** meta.json */
export interface FixtureMeta {
  readonly cliVersion: string;
  readonly scenario: string;
  /** CLI arguments (the prompt went to stdin). */
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  readonly prompt: string;
  readonly description: string;
  /** Set when the recorder sent a signal to the CLI during the run. */
  readonly interruptedWith?: NodeJS.Signals;
  /** Set when the recorded run resumed a session the recorder ran first (its id scrubbed to this value). */
  readonly resumedSession?: string;
}

export type RecordOutcome =
  | {
      readonly kind: "recorded";
      readonly version: string;
      readonly scenario: string;
      readonly meta: FixtureMeta;
    }
  | {
      readonly kind: "skipped";
      readonly version: string;
      readonly scenario: string;
      readonly reason: string;
    };

export interface RecordOptions {
  readonly versions: readonly string[];
  readonly scenarios: readonly RecordingScenario[];
  readonly fixturesDir?: string;
  readonly log?: (line: string) => void;
}

/** Record every (version, scenario) pair, sequentially (each run is short; the machine is shared). */
export async function recordFixtures(options: RecordOptions): Promise<RecordOutcome[]> {
  const log = options.log ?? (() => {});
  const fixturesDir = options.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  const clis = await installAll(options.versions, log);
  const mock = await startMockAnthropic({ log });
  const outcomes: RecordOutcome[] = [];
  try {
    for (const cli of clis) {
      for (const scenario of options.scenarios) {
        const outcome = await recordOne(cli, scenario, mock, fixturesDir);
        log(describeOutcome(outcome));
        outcomes.push(outcome);
      }
    }
  } finally {
    await mock.close();
  }
  return outcomes;
}

async function installAll(versions: readonly string[], log: (line: string) => void): Promise<ClaudeCli[]> {
  const clis: ClaudeCli[] = [];
  for (const version of versions) clis.push(await ensureClaudeCli(version, { log }));
  return clis;
}

async function recordOne(
  cli: ClaudeCli,
  scenario: RecordingScenario,
  mock: MockAnthropic,
  fixturesDir: string,
): Promise<RecordOutcome> {
  const reason = scenario.unsupported?.(cli.version);
  if (reason !== undefined) return { kind: "skipped", version: cli.version, scenario: scenario.name, reason };

  const sandbox = await createRunSandbox("claude-rec-");
  try {
    const apiKey = apiKeyFor(scenario, MOCK_API_KEY);
    const env = mockClaudeEnv({ baseUrl: mock.url, home: sandbox.home, apiKey, maxRetries: 2 });
    const first =
      scenario.resumes === undefined ? undefined : await startSession(cli, scenario, sandbox, env);
    const argv = [...BASE_ARGS, ...(first === undefined ? [] : ["--resume", first]), ...scenario.args()];
    const prompt = promptFor(scenario);
    const run = await runClaude({
      bin: cli.bin,
      args: argv,
      prompt,
      cwd: sandbox.project,
      env,
      ...(scenario.interrupt ? { interrupt: scenario.interrupt } : {}),
    });
    if (run.timedOut) throw new Error(`claude ${cli.version} ${scenario.name}: timed out`);
    if (scenario.interrupt && !run.interrupted) {
      throw new Error(`claude ${cli.version} ${scenario.name}: the interrupt point never came`);
    }
    const rules = [
      ...secretRules(sandbox.base, apiKey),
      ...pidRules(run.pid),
      ...mockRules(mock.url),
      ...resumedSessionRules(first),
    ];
    const meta: FixtureMeta = {
      cliVersion: cli.version,
      scenario: scenario.name,
      argv: argv.map((arg) => scrub(arg, rules)),
      exitCode: run.exitCode,
      signal: run.signal,
      durationMs: run.durationMs,
      prompt,
      description: scenario.description,
      ...(run.interrupted && scenario.interrupt ? { interruptedWith: scenario.interrupt.signal } : {}),
      ...(first === undefined ? {} : { resumedSession: FIXTURE_RESUMED_SESSION }),
    };
    await writeFixture(join(fixturesDir, cli.version, scenario.name), {
      stdout: scrub(run.stdout.toString("utf8"), rules),
      stderr: scrub(run.stderr.toString("utf8"), rules),
      meta,
    });
    return { kind: "recorded", version: cli.version, scenario: scenario.name, meta };
  } finally {
    await sandbox.dispose();
  }
}

/** Runs the first session of a `resumes` scenario (not recorded) and returns its session id. */
async function startSession(
  cli: ClaudeCli,
  scenario: RecordingScenario,
  sandbox: RunSandbox,
  env: Record<string, string>,
): Promise<string> {
  const run = await runClaude({
    bin: cli.bin,
    args: [...BASE_ARGS, ...(scenario.resumes?.args() ?? [])],
    prompt: promptFor(scenario, "first"),
    cwd: sandbox.project,
    env,
  });
  const result = jsonLines(run.stdout).find((line) => line.type === "result");
  const sessionId = typeof result?.session_id === "string" ? result.session_id : undefined;
  if (run.timedOut || run.exitCode !== 0 || result?.is_error !== false || sessionId === undefined) {
    throw new Error(
      `claude ${cli.version} ${scenario.name}: the first session did not succeed (exit ${run.exitCode}, result ${JSON.stringify(result?.subtype)}): ${run.stderr.toString("utf8").slice(0, 500)}`,
    );
  }
  return sessionId;
}

/** The resumed session's id in recordings (a valid UUID, so the parser treats it like a real one). */
export const FIXTURE_RESUMED_SESSION = "5e551000-0000-4000-8000-000000000001";

/** The first run's (random) session id becomes a fixed one everywhere: argv, stdout and stderr alike. */
function resumedSessionRules(sessionId: string | undefined): ScrubRule[] {
  return sessionId === undefined ? [] : [{ from: sessionId, to: FIXTURE_RESUMED_SESSION }];
}

/** Temp paths become placeholders; the key (synthetic anyway) and any real key in our env are redacted. */
function secretRules(base: string, apiKey: string): ScrubRule[] {
  const secrets = [apiKey, process.env.ANTHROPIC_API_KEY, process.env.CLAUDE_CODE_OAUTH_TOKEN]
    .filter((s): s is string => typeof s === "string" && s.length >= 8)
    .map((from) => ({ from, to: "sk-ant-REDACTED" }));
  return scrubRules(base, secrets);
}

/** 2.1.3xx puts its pid into `messaging_socket_path` (`.../cc-socks/<pid>.sock`). */
function pidRules(pid: number | undefined): ScrubRule[] {
  return pid === undefined ? [] : [{ from: `/cc-socks/${pid}.sock`, to: "/cc-socks/4242.sock" }];
}

/** 2.1.330 names the gateway in its 529 text; the mock's ephemeral port becomes a fixed one. */
export const FIXTURE_MOCK_HOST = "127.0.0.1:8765";

function mockRules(url: string): ScrubRule[] {
  return [{ from: new URL(url).host, to: FIXTURE_MOCK_HOST }];
}

export async function writeFixture(
  dir: string,
  files: { stdout: string; stderr: string; meta: FixtureMeta },
): Promise<void> {
  // Overwrite only the recorder's own files: expected.json beside them belongs to the parser's tests.
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "stdout.jsonl"), files.stdout);
  await writeFile(join(dir, "stderr.txt"), files.stderr);
  await writeFile(join(dir, "meta.json"), `${JSON.stringify(files.meta, null, 2)}\n`);
}

function describeOutcome(o: RecordOutcome): string {
  if (o.kind === "skipped") return `skip ${o.version} ${o.scenario}: ${o.reason}`;
  const { exitCode, signal, durationMs } = o.meta;
  return `recorded ${o.version} ${o.scenario}: exit=${exitCode} signal=${signal} ${durationMs}ms`;
}
