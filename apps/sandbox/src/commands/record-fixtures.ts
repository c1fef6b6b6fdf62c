/**
 * `sandbox record-fixtures [--versions 1.0.128,2.0.77] [--scenarios max-turns,...] [--out DIR]`
 * (`pnpm --filter @paperclip-k8s/sandbox record-fixtures`). Records into packages/claude-parse/fixtures/<version>/
 * <scenario>/: stdout.jsonl, stderr.txt and meta.json of the selected pairs are overwritten; expected.json beside
 * them is never touched (re-check it after recording).
 */

import { assertExactVersion, CLAUDE_CLI_VERSIONS } from "@paperclip-k8s/testing";
import { defineCommand } from "citty";
import { recordFixtures } from "../recorder/record.js";
import { findScenario, RECORDING_SCENARIOS, type RecordingScenario } from "../recorder/scenarios.js";
import { strict } from "./strict.js";

function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function pickScenarios(names: string[] | undefined): RecordingScenario[] {
  if (names === undefined) return [...RECORDING_SCENARIOS];
  return names.map((name) => {
    const scenario = findScenario(name);
    if (scenario === undefined) {
      throw new Error(
        `--scenarios: unknown scenario "${name}"; known: ${RECORDING_SCENARIOS.map((s) => s.name).join(", ")}`,
      );
    }
    return scenario;
  });
}

export const recordFixturesCommand = defineCommand({
  meta: { name: "record-fixtures", description: "Record claude-parse fixtures from the real CLIs" },
  plugins: [strict],
  args: {
    versions: { type: "string", description: `comma-separated (default: ${CLAUDE_CLI_VERSIONS.join(",")})` },
    scenarios: { type: "string", description: "comma-separated recording scenarios (default: all)" },
    out: { type: "string", description: "fixtures directory (default: packages/claude-parse/fixtures)" },
  },
  async run({ args }) {
    const versions = (list(args.versions) ?? [...CLAUDE_CLI_VERSIONS]).map(assertExactVersion);
    const scenarios = pickScenarios(list(args.scenarios));
    const outcomes = await recordFixtures({
      versions,
      scenarios,
      ...(args.out === undefined ? {} : { fixturesDir: args.out }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const recorded = outcomes.filter((o) => o.kind === "recorded").length;
    process.stderr.write(`${recorded} recorded, ${outcomes.length - recorded} skipped\n`);
  },
});
