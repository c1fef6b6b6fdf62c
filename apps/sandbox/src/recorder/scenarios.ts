/**
 * The fixture scenarios of issue 3 item 6: which mock scenario each uses, extra CLI flags, whether the run
 * is interrupted, and which CLI versions can produce it.
 */
import { randomUUID } from "node:crypto";
import { type ScenarioName, scenarioMarker } from "@paperclip-k8s/testing";

/** The flags every recording uses (prompt on stdin). */
export const BASE_ARGS = ["--print", "--output-format", "stream-json", "--verbose"] as const;

export interface RecordingScenario {
  readonly name: string;
  readonly description: string;
  readonly mock: ScenarioName;
  readonly mockArg?: number;
  /** Also put the marker into the API key, so side requests without the prompt fail the same way. */
  readonly markKey?: boolean;
  /** Flags after BASE_ARGS. */
  readonly args: () => string[];
  /** Send `signal` to the CLI once a stdout line matches `when`. */
  readonly interrupt?: { readonly when: (line: string) => boolean; readonly signal: NodeJS.Signals };
  /**
   * Run a first session before the recorded one (same HOME and project, same mock scenario, flags after
   * BASE_ARGS given here), then record `--resume <its session id>` + `args()` with a second prompt.
   */
  readonly resumes?: { readonly args: () => string[] };
  /** Returns why `version` cannot produce this scenario, or undefined when it can. */
  readonly unsupported?: (version: string) => string | undefined;
}

const ALLOW_BASH = ["--allowedTools", "Bash"];

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function versionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

const needsPartialMessages = (version: string): string | undefined =>
  versionAtLeast(version, "1.0.109") ? undefined : "--include-partial-messages was added in 1.0.109";

const isToolUseLine = (line: string) =>
  line.includes('"type":"assistant"') && line.includes('"type":"tool_use"');

export const RECORDING_SCENARIOS: readonly RecordingScenario[] = [
  {
    name: "success",
    description: "plain text answer",
    mock: "success",
    args: () => [],
  },
  {
    name: "success-tools",
    description: "text + Bash tool_use (echo hello), tool result, final text",
    mock: "success-tools",
    args: () => [...ALLOW_BASH],
  },
  {
    name: "thinking",
    description: "thinking block with signature, then text",
    mock: "thinking",
    args: () => [],
  },
  {
    name: "resume-unknown",
    description: "--resume with a random, unknown session uuid",
    mock: "success",
    args: () => ["--resume", randomUUID()],
  },
  {
    name: "resume-invalid",
    description: "--resume with a value that is not a uuid (and no session has that title)",
    mock: "success",
    args: () => ["--resume", "not-a-session-id"],
  },
  {
    name: "resume-success",
    description:
      "a success-tools session, then --resume <its id> with a second prompt; the recording is the resumed run (2.1.3xx: the result's modelUsage/total_cost_usd cover the whole session)",
    mock: "success-tools",
    args: () => [...ALLOW_BASH],
    resumes: { args: () => [...ALLOW_BASH] },
  },
  {
    name: "max-turns",
    description: "the model keeps calling tools; --max-turns 1 trips",
    mock: "max-turns",
    args: () => ["--max-turns", "1", ...ALLOW_BASH],
  },
  {
    name: "auth-401",
    description: "401 authentication_error on every request",
    mock: "auth-401",
    markKey: true,
    args: () => [],
  },
  {
    name: "rate-limit-429",
    description: "429 rate_limit_error with retry-after and anthropic-ratelimit-*-reset headers",
    mock: "rate-limit-429",
    mockArg: 1,
    markKey: true,
    args: () => [],
  },
  {
    name: "overloaded-529",
    description: "529 overloaded_error on every request",
    mock: "overloaded-529",
    markKey: true,
    args: () => [],
  },
  {
    name: "server-error-500",
    description: "500 api_error on every request",
    mock: "server-error-500",
    markKey: true,
    args: () => [],
  },
  {
    name: "credit-balance",
    description: '400 invalid_request_error "Your credit balance is too low..."',
    mock: "credit-balance",
    markKey: true,
    args: () => [],
  },
  ...(["SIGTERM", "SIGINT", "SIGKILL"] as const).map(
    (signal): RecordingScenario => ({
      name: `killed-${signal.toLowerCase()}`,
      description: `${signal} once the assistant line with a long-running Bash tool_use (sleep 60) is out`,
      mock: "slow-tool",
      mockArg: 60,
      args: () => [...ALLOW_BASH],
      interrupt: { when: isToolUseLine, signal },
    }),
  ),
  {
    name: "partial-messages",
    description: "--include-partial-messages over the tool flow (two API messages, input_json_delta)",
    mock: "success-tools",
    args: () => ["--include-partial-messages", ...ALLOW_BASH],
    unsupported: needsPartialMessages,
  },
  {
    name: "partial-messages-thinking",
    description:
      "--include-partial-messages over a thinking block (thinking_delta, signature_delta) and text",
    mock: "thinking",
    args: () => ["--include-partial-messages"],
    unsupported: needsPartialMessages,
  },
];

export function findScenario(name: string): RecordingScenario | undefined {
  return RECORDING_SCENARIOS.find((s) => s.name === name);
}

/**
 * The prompt sent on stdin: a short task plus the mock marker. `first` is the prompt of the session a
 * `resumes` scenario starts before the recorded run.
 */
export function promptFor(scenario: RecordingScenario, run: "recorded" | "first" = "recorded"): string {
  const ask = run === "first" ? "please help (first run of the session)" : "please help";
  return `Fixture run "${scenario.name}": ${ask}. ${scenarioMarker(scenario.mock, scenario.mockArg)}\n`;
}

/** API key for the run: synthetic, with the marker when the scenario needs every request to fail. */
export function apiKeyFor(scenario: RecordingScenario, baseKey: string): string {
  return scenario.markKey ? `${baseKey}${scenarioMarker(scenario.mock, scenario.mockArg)}` : baseKey;
}
