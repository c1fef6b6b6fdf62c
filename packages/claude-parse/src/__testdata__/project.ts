import type { ParsedLine } from "../stream-parser.js";

/** A comparable projection of parsed lines (drops the lazily computed payload object). */
export function project(lines: readonly ParsedLine[]) {
  return lines.map((l) => {
    switch (l.kind) {
      case "event":
        return { kind: l.kind, type: l.type, ev: l.event.kind, uuid: l.uuid, prefix: l.prefix, text: l.text };
      default:
        return { ...l };
    }
  });
}
