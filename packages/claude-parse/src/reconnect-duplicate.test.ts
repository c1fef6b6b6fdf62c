/**
 * Why the parser keeps its duplicate window (`dedupeWindow`, uuid-window.ts) although k8s-runtime's log follower
 * removes reconnect overlap exactly (log-cursor.ts: `timestamps=true`, `sinceTime` one second back, then drop
 * every line older than the last emitted timestamp and as many lines at that timestamp as were emitted).
 *
 * That cursor assumes a container log's timestamps never go backwards. They do: containerd writes a container's
 * stdout and stderr into ONE log file from two goroutines, each stamping a line with `time.Now()` before taking
 * its turn at the shared writer (CRI `redirectLogs`), so a stderr line stamped earlier can land after a stdout
 * line stamped later. The Claude container writes both streams (the CLI's stderr, the entrypoint's messages).
 * If the stream drops right after such a line, the cursor's position has moved back to the earlier stamp and
 * the kubelet's replay from `sinceTime` hands the later-stamped stdout line — a CLI event — over a second time.
 *
 * The log cursor is imported from k8s-runtime's source (read-only here) so the test breaks if either side changes.
 */
import { describe, expect, it } from "vitest";
import { LogCursor, type LogLine, resumeSinceTime, timestampKey } from "../../k8s-runtime/src/log-cursor.js";
import { assistant, init, uuid } from "./__testdata__/synthetic.js";
import { createStreamParser, type ParsedLine } from "./stream-parser.js";
import { createRunAccumulator } from "./summary.js";

interface CriEntry extends LogLine {
  stream: "stdout" | "stderr";
}

const json = (obj: Record<string, unknown>) => JSON.stringify(obj);

/** The container log file, in file order. Line 3 (stdout) was stamped after line 4 (stderr) but written first. */
const LOG: CriEntry[] = [
  { timestamp: "2026-11-24T03:00:09.5Z", stream: "stdout", text: json(init()) },
  { timestamp: "2026-11-24T03:00:10.000050Z", stream: "stderr", text: "[entrypoint] claude started" },
  {
    timestamp: "2026-11-24T03:00:10.000200Z",
    stream: "stdout",
    text: json(assistant("msg_r1", { type: "text", text: "Working on it." })),
  },
  { timestamp: "2026-11-24T03:00:10.0001Z", stream: "stderr", text: "(node:7) Warning: something" },
  {
    timestamp: "2026-11-24T03:00:10.4Z",
    stream: "stdout",
    text: json(
      assistant("msg_r1", { type: "tool_use", id: "toolu_r1", name: "Bash", input: { command: "ls" } }),
    ),
  },
];

/** What the kubelet serves for `sinceTime` (second precision): every entry not before it, in file order. */
function serve(log: CriEntry[], since: string | undefined): CriEntry[] {
  const from = since === undefined ? undefined : timestampKey(since);
  return log.filter((e) => from === undefined || (timestampKey(e.timestamp) as string) >= from);
}

/** The follower's reading: the first stream drops after `cut` lines, the second resumes from the cursor. */
function follow(log: CriEntry[], cut: number): string[] {
  const cursor = new LogCursor();
  const out: string[] = [];
  for (const entry of serve(log, undefined).slice(0, cut)) if (cursor.accept(entry)) out.push(entry.text);
  cursor.beginReplay();
  const since = cursor.position ? resumeSinceTime(cursor.position) : undefined;
  for (const entry of serve(log, since)) if (cursor.accept(entry)) out.push(entry.text);
  return out;
}

/** What adapter-k8s does with each followed line (observe.ts): one `push` per line, into one summary. */
function summarise(lines: string[], dedupeWindow?: number) {
  const parser = createStreamParser(dedupeWindow === undefined ? {} : { dedupeWindow });
  const acc = createRunAccumulator();
  const parsed: ParsedLine[] = [];
  for (const text of lines) parsed.push(...parser.push(`${text}\n`));
  parsed.push(...parser.end());
  acc.push(parsed);
  return { parsed, summary: acc.summary() };
}

describe("a duplicate the exact log cursor cannot remove", () => {
  const once = LOG.map((e) => e.text);

  it("the cursor is exact while timestamps only grow (the case it is built for)", () => {
    const ordered = LOG.filter((_, i) => i !== 3);
    for (let cut = 0; cut <= ordered.length; cut++) {
      expect(follow(ordered, cut)).toEqual(ordered.map((e) => e.text));
    }
  });

  it("a drop right after a line stamped earlier than the one before it replays a stdout event", () => {
    const followed = follow(LOG, 4);
    const event = LOG[2]?.text as string;
    expect(followed.filter((t) => t === event)).toHaveLength(2);
    expect(followed.length).toBeGreaterThan(once.length);
  });

  it("the parser drops that replayed event by its uuid, so the summary equals the unique stream's", () => {
    const followed = follow(LOG, 4);
    const { parsed, summary } = summarise(followed);
    expect(parsed.filter((p) => p.kind === "duplicate").map((p) => p.kind === "duplicate" && p.type)).toEqual(
      ["assistant"],
    );
    const unique = summarise(once).summary;
    expect({ ...summary, counts: unique.counts }).toEqual(unique);
    expect(summary.summary).toBe("Working on it.");
  });

  it("without the window the replay corrupts the run summary (the text is repeated)", () => {
    const { summary } = summarise(follow(LOG, 4), 0);
    expect(summary.summary).toBe("Working on it.\n\nWorking on it.");
  });

  it("the window does not drop a distinct event (fresh uuids never collide)", () => {
    const lines = [
      json(init()),
      ...Array.from({ length: 50 }, () => json(assistant(uuid(), { type: "text", text: "x" }))),
    ];
    expect(summarise(lines).parsed.every((p) => p.kind === "event")).toBe(true);
  });
});
