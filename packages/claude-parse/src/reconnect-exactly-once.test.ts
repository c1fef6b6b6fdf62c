/**
 * Why the parser has no duplicate window: k8s-runtime's log cursor hands every container log line to the parser
 * exactly once across reconnects, also when containerd's stdout and stderr timestamps go out of order.
 *
 * containerd writes a container's stdout and stderr into ONE log file from two goroutines, each stamping a line
 * before taking its turn at the shared writer (CRI `redirectLogs`), so a stderr line stamped earlier can land after
 * a stdout line stamped later. Before k8s-runtime e07da0b the cursor resumed from the LAST timestamp and replayed a
 * CLI event when the stream dropped right after such a line (this file used to show that duplicate, and the
 * parser's uuid window removing it). The cursor now resumes from the highest timestamp minus REORDER_SLACK_MS and
 * drops the replayed overlap by line identity in emission order.
 *
 * Here the real `LogCursor` and the CRI model (containerd's writer, the kubelet's per-line `sinceTime` filter) are
 * imported from k8s-runtime's sources (read-only here), so this breaks if either side changes: every single cut and
 * every pair of cuts of out-of-order logs gives the parser each CLI event once, and the summary of the unique stream.
 * The parser passes a repeated line on as a second event (last test), so a replay would show here.
 *
 * Other ways a line could reach one parser twice, checked elsewhere: the CLI itself never repeats a uuid or a line
 * in any recording (replay.test.ts); adapter-local reads the child's stdout pipe once; an adopting run follows the
 * adopted Job's log with a parser of its own (a per-parser window could never remove a line the previous run
 * already parsed), and a saved `LogPosition` with `recent` resumes exactly (round trip below).
 */
import { describe, expect, it } from "vitest";
import { LogCursor, type LogPosition, resumeSinceTime } from "../../k8s-runtime/src/log-cursor.js";
import {
  type CriLine,
  containerdLog,
  goesBackwards,
  kubeletServe,
} from "../../k8s-runtime/src/testing/cri-log-model.js";
import { assistant, init, result, uuid } from "./__testdata__/synthetic.js";
import { createStreamParser, type ParsedLine } from "./stream-parser.js";
import { createRunAccumulator } from "./summary.js";

const json = (obj: Record<string, unknown>) => JSON.stringify(obj);
const MS = 1e6;

/** The issue 11 log, in file order. Line 3 (stdout) was stamped after line 4 (stderr) but written first. */
const LOG: CriLine[] = [
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

/**
 * The log follower's reading (log-follower.ts): a stream drops after `cuts[i]` served lines, the next one starts
 * from the cursor's `sinceTime` after `beginReplay()`; the last stream reads to the end.
 */
function follow(file: readonly CriLine[], cuts: readonly number[], start?: LogPosition): string[] {
  const cursor = new LogCursor(start);
  const out: string[] = [];
  for (const cut of [...cuts, Number.POSITIVE_INFINITY]) {
    cursor.beginReplay();
    for (const line of kubeletServe(file, cursor.sinceTime).slice(0, cut)) {
      if (cursor.accept(line)) out.push(line.text);
    }
  }
  return out;
}

/** What adapter-k8s does with each followed line (observe.ts): one `push` per line, into one summary. */
function summarise(lines: readonly string[]) {
  const parser = createStreamParser();
  const acc = createRunAccumulator();
  const parsed: ParsedLine[] = [];
  for (const text of lines) parsed.push(...parser.push(`${text}\n`));
  parsed.push(...parser.end());
  acc.push(parsed);
  const uuids = parsed.flatMap((p) => (p.kind === "event" ? [p.uuid] : []));
  return { uuids, summary: acc.summary() };
}

/** Every single cut and every pair of cuts (the second counted on the resumed stream, overlap included). */
function everyCut(n: number): number[][] {
  const cuts: number[][] = [];
  for (let a = 0; a <= n; a += 1) {
    cuts.push([a]);
    for (let b = 0; b <= n + 2; b += 1) cuts.push([a, b]);
  }
  return cuts;
}

/** A random containerd log whose stdout lines are CLI events (fresh uuids) and stderr lines are CLI noise. */
function cliLog(seed: number, n: number): CriLine[] {
  const file = containerdLog(seed, n, 1_500 * MS);
  let turn = 0;
  return file.map((line, i) => {
    if (line.stream === "stderr") return line;
    turn += 1;
    const event =
      i === 0
        ? init()
        : turn % 5 === 0
          ? result({ result: `done ${turn}` })
          : assistant(`msg_${turn}`, { type: "text", text: `step ${turn}` });
    return { ...line, text: json(event) };
  });
}

describe("the exact log cursor hands the parser every line once", () => {
  const unique = summarise(LOG.map((e) => e.text));

  it("a drop right after a line stamped earlier than the one before it replays nothing (issue 11 item 5)", () => {
    expect(goesBackwards(LOG)).toBe(true);
    const followed = follow(LOG, [4]);
    expect(followed).toEqual(LOG.map((e) => e.text));
    const { summary } = summarise(followed);
    expect(summary).toEqual(unique.summary);
    expect(summary.summary).toBe("Working on it.");
  });

  it("any one or two cuts of that log: the same events, each once, and the same summary", () => {
    const wrong = everyCut(LOG.length)
      .map((cuts) => ({ cuts, ...summarise(follow(LOG, cuts)) }))
      .filter((r) => JSON.stringify(r.uuids) !== JSON.stringify(unique.uuids))
      .map((r) => r.cuts);
    expect(wrong).toEqual([]);
    for (const cuts of everyCut(LOG.length))
      expect(summarise(follow(LOG, cuts)).summary).toEqual(unique.summary);
  });

  it("random out-of-order containerd logs of CLI events, cut once or twice anywhere: every event exactly once", {
    timeout: 60_000,
  }, () => {
    let backwards = 0;
    for (let seed = 1; seed <= 6; seed += 1) {
      const file = cliLog(seed, 24);
      if (goesBackwards(file)) backwards += 1;
      const want = summarise(file.map((l) => l.text));
      expect(new Set(want.uuids).size).toBe(want.uuids.length);
      for (const cuts of everyCut(file.length)) {
        const got = summarise(follow(file, cuts));
        expect({ seed, cuts, uuids: got.uuids }).toEqual({ seed, cuts, uuids: want.uuids });
        expect(got.summary).toEqual(want.summary);
      }
    }
    expect(backwards).toBeGreaterThanOrEqual(4); // the case this is about, not only ordered logs
  });

  it("a position saved as JSON and resumed by another follower (adoption) delivers the rest once", () => {
    const texts = LOG.map((e) => e.text);
    for (let cut = 0; cut <= LOG.length; cut += 1) {
      const first = new LogCursor();
      const before = kubeletServe(LOG, undefined)
        .slice(0, cut)
        .filter((l) => first.accept(l))
        .map((l) => l.text);
      const saved = first.position && (JSON.parse(JSON.stringify(first.position)) as LogPosition);
      if (saved) expect(resumeSinceTime(saved)).toBeDefined();
      expect({ cut, got: [...before, ...follow(LOG, [], saved)] }).toEqual({ cut, got: texts });
    }
  });

  it("the parser itself passes a repeated line on (no hidden dedupe), so a replay would show above", () => {
    const replayed = [...LOG.map((e) => e.text), LOG[2]?.text as string];
    const { uuids, summary } = summarise(replayed);
    expect(uuids).toHaveLength(unique.uuids.length + 1);
    expect(summary.summary).toBe("Working on it.\n\nWorking on it.");
    // distinct events are never merged either
    const many = [
      json(init()),
      ...Array.from({ length: 50 }, () => json(assistant(uuid(), { type: "text", text: "x" }))),
    ];
    expect(summarise(many).uuids).toHaveLength(51);
  });
});
