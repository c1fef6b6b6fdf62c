/** Paperclip UI transcript parser (contract 1). Built as a self-contained CommonJS file. */
export type TranscriptEntry =
  | { kind: "stdout"; ts: string; text: string }
  | { kind: "init"; ts: string; model: string; sessionId: string };

export function parseStdoutLine(line: string, ts: string): TranscriptEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return [{ kind: "stdout", ts, text: line }];
  }
  const rec = value as Record<string, unknown>;
  if (rec && rec.type === "system" && rec.subtype === "init") {
    return [{ kind: "init", ts, model: String(rec.model ?? ""), sessionId: String(rec.session_id ?? "") }];
  }
  return [{ kind: "stdout", ts, text: line }];
}
