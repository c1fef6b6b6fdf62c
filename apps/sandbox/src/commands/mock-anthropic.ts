/**
 * `sandbox mock-anthropic --host 127.0.0.1 --port 0 [--scenario success] [--latency-ms 0] [--verbose]`
 * (`pnpm --filter @paperclip-k8s/sandbox mock-anthropic …`): the mock Anthropic API in the foreground.
 * Prints the base URL on stdout (one line), logs requests on stderr with --verbose, stops on SIGINT/SIGTERM.
 */

import { type RecordedRequest, SCENARIOS, startMockAnthropic } from "@paperclip-k8s/testing";
import { defineCommand } from "citty";
import { strict } from "./strict.js";

function number(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new Error(`--${flag} must be a number, got "${value}"`);
  return n;
}

function logRequest(r: RecordedRequest): void {
  const detail = r.scenario === undefined ? "" : ` scenario=${r.scenario} ${r.mainLoop ? "main" : "side"}`;
  process.stderr.write(`[mock-anthropic] ${r.method} ${r.path} -> ${r.status}${detail}\n`);
}

export const mockAnthropicCommand = defineCommand({
  meta: { name: "mock-anthropic", description: "Run the mock Anthropic API until SIGINT/SIGTERM" },
  plugins: [strict],
  args: {
    host: { type: "string", default: "127.0.0.1", description: "address to bind" },
    port: { type: "string", default: "0", description: "port (0: any free port)" },
    scenario: { type: "enum", options: [...SCENARIOS], default: "success", description: "default scenario" },
    "latency-ms": { type: "string", default: "0", description: "delay before each response" },
    verbose: { type: "boolean", default: false, description: "log every request on stderr" },
  },
  async run({ args }) {
    const mock = await startMockAnthropic({
      host: args.host,
      port: number("port", args.port),
      defaultScenario: args.scenario,
      latencyMs: number("latency-ms", args["latency-ms"]),
      ...(args.verbose ? { onRequest: logRequest } : {}),
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
  },
});
