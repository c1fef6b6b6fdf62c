/**
 * Run the mock Anthropic API in the foreground:
 *   tsx apps/sandbox/src/mock-anthropic/cli.ts --host 127.0.0.1 --port 0 [--scenario success] [--latency-ms 0]
 * Prints the base URL on stdout (one line), logs unknown routes on stderr, stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { isScenarioName, SCENARIOS } from "./scenarios.js";
import { MockAnthropicConfigError, type RecordedRequest, startMockAnthropic } from "./server.js";

function fail(message: string): never {
  process.stderr.write(`mock-anthropic: ${message}\n`);
  process.exit(2);
}

function parseNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) fail(`--${flag} must be a number, got "${value}"`);
  return n;
}

function logRequest(r: RecordedRequest): void {
  const detail = r.scenario === undefined ? "" : ` scenario=${r.scenario} ${r.mainLoop ? "main" : "side"}`;
  process.stderr.write(`[mock-anthropic] ${r.method} ${r.path} -> ${r.status}${detail}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      scenario: { type: "string", default: "success" },
      "latency-ms": { type: "string" },
      verbose: { type: "boolean", default: false },
    },
    strict: true,
  });
  const scenario = values.scenario;
  if (!isScenarioName(scenario)) fail(`--scenario must be one of ${SCENARIOS.join(", ")}, got "${scenario}"`);
  const mock = await startMockAnthropic({
    host: values.host,
    port: parseNumber("port", values.port, 0),
    defaultScenario: scenario,
    latencyMs: parseNumber("latency-ms", values["latency-ms"], 0),
    ...(values.verbose ? { onRequest: logRequest } : {}),
  });
  process.stdout.write(`${mock.url}\n`);
  const stop = () => {
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  if (err instanceof MockAnthropicConfigError) fail(err.message);
  fail(err instanceof Error ? err.message : String(err));
});
