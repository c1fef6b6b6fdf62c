/**
 * Prints what this package makes of every recorded fixture (summary + classification), to review
 * against the raw recording by hand. With --write, writes `expected.json` for fixtures that lack one.
 * Usage: pnpm exec tsx scripts/fixture-report.ts [--write] [filter]
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectationOf, listFixtures, loadFixture } from "../src/__testdata__/fixtures.js";

const write = process.argv.includes("--write");
const filter = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "";
for (const dir of listFixtures()) {
  if (!dir.includes(filter)) continue;
  const fx = loadFixture(dir);
  const expected = expectationOf(fx);
  console.log(`=== ${fx.id}  exit=${fx.meta.exitCode} signal=${fx.meta.signal}`);
  console.log(JSON.stringify(expected, null, 2));
  const file = join(dir, "expected.json");
  if (write && !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(expected, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
}
