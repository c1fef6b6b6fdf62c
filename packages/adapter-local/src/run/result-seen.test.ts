import { createStreamParser, type ParsedLine } from "@paperclip-k8s/claude-parse";
import { describe, expect, it } from "vitest";
import { includesResult } from "./result-seen.js";

/** The lines of `text`, each counting how often its (possibly deferred) `event` is read. */
function watched(text: string): { lines: ParsedLine[]; decoded: () => number } {
  let decoded = 0;
  const lines = createStreamParser()
    .push(text)
    .map((line) =>
      line.kind === "event"
        ? Object.create(line, {
            event: {
              get: () => {
                decoded++;
                return line.event;
              },
            },
          })
        : line,
    );
  return { lines, decoded: () => decoded };
}

const user =
  '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]}}\n';
const result = '{"type":"result","subtype":"success","is_error":false,"result":"ok","uuid":"r"}\n';

describe("includesResult", () => {
  it("finds the result line without decoding any line", () => {
    const withResult = watched(`${user}${user}${result}`);
    expect(includesResult(withResult.lines)).toBe(true);
    const without = watched(`${user}npm noise\n${user}`);
    expect(includesResult(without.lines)).toBe(false);
    expect(withResult.decoded() + without.decoded()).toBe(0);
  });
});
