/**
 * Paperclip's UI builds a run transcript in the browser: it fetches `/api/adapters/<type>/ui-parser.js`, evaluates
 * it in a locked-down Web Worker as the body of
 * `new Function("exports", "module", "self", "globalThis", "\"use strict\";\n{\n" + source + "\n}")`, and feeds it
 * the run log line by line (`buildTranscript`, read from the compiled ui-dist of paperclipai 2026.916.1).
 *
 * This module does the same in Node so the e2e suite can assert on the entries the UI would show. The source is
 * evaluated inside a fresh `node:vm` context, so, as in the worker, it sees only JavaScript builtins: no `require`,
 * `process`, `fetch` or `import`. Entries cross back through `structuredClone`, as they do through `postMessage`.
 */
import { createContext, runInContext } from "node:vm";
import type { RunLogRecord } from "./api.js";

export interface TranscriptEntry {
  readonly kind: string;
  readonly ts: string;
  readonly text?: string;
  readonly delta?: boolean;
  readonly channel?: string;
  readonly [field: string]: unknown;
}

export type LineParser = (line: string, ts: string) => TranscriptEntry[];

export interface UiParser {
  /** What the module exported: the worker prefers `parseStdoutLine` and falls back to one `createStdoutParser()`. */
  readonly exported: { readonly parseStdoutLine: boolean; readonly createStdoutParser: boolean };
  readonly parseLine: LineParser;
}

export class UiParserLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`ui-parser: ${message}`, options);
    this.name = "UiParserLoadError";
  }
}

type ModuleShape = {
  parseStdoutLine?: unknown;
  createStdoutParser?: unknown;
};

/** Evaluate a ui-parser source the way Paperclip's parser worker does. Throws {@link UiParserLoadError} when the
 * worker would answer "Parser init failed" or "exports no usable parseStdoutLine or createStdoutParser". */
export function evaluateUiParser(source: string): UiParser {
  const context = createContext({});
  const WorkerFunction = runInContext("Function", context) as FunctionConstructor;
  const moduleExports = runInContext("({})", context) as ModuleShape;
  const module = runInContext("({})", context) as { exports: ModuleShape };
  module.exports = moduleExports;
  try {
    const factory = new WorkerFunction(
      "exports",
      "module",
      "self",
      "globalThis",
      `"use strict";\n{\n${source}\n}`,
    ) as (e: ModuleShape, m: { exports: ModuleShape }, self: undefined, g: undefined) => void;
    factory(moduleExports, module, undefined, undefined);
  } catch (err) {
    throw new UiParserLoadError(`Parser init failed: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const resolved =
    module.exports && typeof module.exports === "object" && Object.keys(module.exports).length > 0
      ? module.exports
      : moduleExports;
  const exported = {
    parseStdoutLine: typeof resolved.parseStdoutLine === "function",
    createStdoutParser: typeof resolved.createStdoutParser === "function",
  };
  let parse: LineParser | undefined;
  if (exported.parseStdoutLine) parse = resolved.parseStdoutLine as LineParser;
  else if (exported.createStdoutParser) {
    const stateful = (resolved.createStdoutParser as () => { parseLine?: unknown })();
    if (stateful && typeof stateful.parseLine === "function") {
      parse = (line, ts) => (stateful.parseLine as LineParser)(line, ts);
    }
  }
  if (!parse)
    throw new UiParserLoadError("Parser module exports no usable parseStdoutLine or createStdoutParser");
  const parseLine = parse;
  // The worker answers a throwing parse with []; entries come back structured-cloned.
  return {
    exported,
    parseLine: (line, ts) => {
      try {
        return structuredClone(parseLine(line, ts) ?? []);
      } catch {
        return [];
      }
    },
  };
}

/** The UI's transcript builder: stderr/system chunks become entries as they are; stdout is line-buffered across
 * chunks, each trimmed non-empty line goes to the parser, a trailing partial line is flushed at the end, and
 * consecutive `delta` assistant/thinking entries on the same channel are merged. */
export function buildTranscript(records: readonly RunLogRecord[], parser: UiParser): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  let pending = "";
  for (const record of records) {
    if (record.stream === "stderr" || record.stream === "system") {
      entries.push({ kind: record.stream, ts: record.ts, text: record.chunk });
      continue;
    }
    const lines = (pending + record.chunk).split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) appendParsed(entries, line.trim(), record.ts, parser);
  }
  const last = records.at(-1);
  if (last) appendParsed(entries, pending.trim(), last.ts, parser);
  return entries;
}

function appendParsed(entries: TranscriptEntry[], line: string, ts: string, parser: UiParser): void {
  if (line === "") return;
  for (const entry of parser.parseLine(line, ts)) {
    const previous = entries.at(-1);
    const mergeable =
      (entry.kind === "assistant" || entry.kind === "thinking") &&
      entry.delta === true &&
      previous?.kind === entry.kind &&
      previous.delta === true &&
      previous.channel === entry.channel;
    if (mergeable)
      entries[entries.length - 1] = {
        ...previous,
        text: `${previous.text ?? ""}${entry.text ?? ""}`,
        ts: entry.ts,
      };
    else entries.push(entry);
  }
}
