/**
 * Make recorded output machine-independent: the run's temp base directory (HOME and project live under it)
 * and the CLI's slugged form of it (`/tmp/x/project` -> `-tmp-x-project`, used for per-project state dirs)
 * become fixed placeholders. Pure and deterministic.
 */

/** Where fixtures pretend the run happened. */
export const FIXTURE_BASE = "/tmp/claude-fixture";

/** The CLI's project-directory slug: every non-alphanumeric character becomes `-`. */
export function slugPath(path: string): string {
  return path.replace(/[^a-zA-Z0-9]/g, "-");
}

export interface ScrubRule {
  readonly from: string;
  readonly to: string;
}

/** Rules for a run rooted at `base`, longest first so nested paths are replaced before their prefixes. */
export function scrubRules(base: string, extra: readonly ScrubRule[] = []): ScrubRule[] {
  return [{ from: base, to: FIXTURE_BASE }, { from: slugPath(base), to: slugPath(FIXTURE_BASE) }, ...extra]
    .filter((r) => r.from.length > 0 && r.from !== r.to)
    .sort((a, b) => b.from.length - a.from.length);
}

export function scrub(text: string, rules: readonly ScrubRule[]): string {
  return rules.reduce((acc, rule) => acc.split(rule.from).join(rule.to), text);
}
