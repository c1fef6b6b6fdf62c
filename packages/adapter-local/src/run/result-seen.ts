import type { ParsedLine } from "@paperclip-k8s/claude-parse";

/** Whether `lines` hold the CLI's result event. Reads only `line.type`, so deferred lines stay undecoded. */
export function includesResult(lines: readonly ParsedLine[]): boolean {
  return lines.some((line) => line.kind === "event" && line.type === "result");
}
