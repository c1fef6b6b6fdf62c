/**
 * pnpm --filter @paperclip-k8s/sandbox record-fixtures [--versions 1.0.128,2.0.77] [--scenarios max-turns,...]
 * Records into packages/claude-parse/fixtures/<version>/<scenario>/: stdout.jsonl, stderr.txt and meta.json of
 * the selected pairs are overwritten; expected.json beside them is never touched (re-check it after recording).
 */
import { parseArgs } from "node:util";
import { assertExactVersion, CLAUDE_CLI_VERSIONS } from "../claude-cli/resolve.js";
import { recordFixtures } from "./record.js";
import { findScenario, RECORDING_SCENARIOS, type RecordingScenario } from "./scenarios.js";

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { versions: { type: "string" }, scenarios: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const versions = (list(values.versions) ?? [...CLAUDE_CLI_VERSIONS]).map(assertExactVersion);
  const scenarios = pickScenarios(list(values.scenarios));
  const outcomes = await recordFixtures({
    versions,
    scenarios,
    ...(values.out === undefined ? {} : { fixturesDir: values.out }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const recorded = outcomes.filter((o) => o.kind === "recorded").length;
  process.stderr.write(`${recorded} recorded, ${outcomes.length - recorded} skipped\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`record-fixtures: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
