import { parseStdoutLine, type TranscriptEntry } from "./ui-parser/index.js";

export interface FormatOptions {
  /** Also print raw/unrecognised lines. */
  debug?: boolean;
  /** ANSI colours; default: on unless NO_COLOR is set (any value) or TERM=dumb. */
  color?: boolean;
  /** Longest tool input / tool result text printed before eliding. Default 2000 chars. */
  maxFieldChars?: number;
}

const CODES = {
  bold: 1,
  dim: 2,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
} as const;
type Style = keyof typeof CODES;

export function colorEnabledByEnv(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.NO_COLOR === undefined && env.TERM !== "dumb";
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more chars)` : text;
}

function renderEntry(
  entry: TranscriptEntry,
  paint: (s: Style, t: string) => string,
  max: number,
): string | null {
  switch (entry.kind) {
    case "init":
      return paint(
        "blue",
        `Claude initialized (model ${entry.model || "?"}, session ${entry.sessionId || "?"})`,
      );
    case "assistant":
      return `${paint("green", "assistant:")} ${entry.text}`;
    case "thinking":
      return `${paint("gray", "thinking:")} ${paint("dim", entry.text)}`;
    case "user":
      return `${paint("magenta", "user:")} ${entry.text}`;
    case "tool_call":
      return `${paint("yellow", `tool_call: ${entry.name}`)} ${clip(JSON.stringify(entry.input) ?? "", max)}`;
    case "tool_result": {
      const label = entry.isError ? paint("red", "tool_result (error):") : paint("cyan", "tool_result:");
      return `${label} ${clip(entry.content, max)}`;
    }
    case "result": {
      const head = entry.isError
        ? paint(
            "red",
            `result: ${entry.subtype}${entry.errors.length > 0 ? ` — ${entry.errors.join("; ")}` : ""}`,
          )
        : paint("green", `result: ${entry.subtype}`);
      const tokens = paint(
        "gray",
        `tokens: in=${entry.inputTokens} out=${entry.outputTokens} cached=${entry.cachedTokens} cost=$${entry.costUsd.toFixed(6)}`,
      );
      return [head, entry.text ? entry.text : null, tokens].filter((s) => s !== null).join("\n");
    }
    case "system":
      return paint("gray", `system: ${entry.text}`);
    case "stderr":
      return paint("red", entry.text);
    case "stdout":
      return null;
  }
}

/**
 * Formats one stdout line of `claude --output-format stream-json` for a terminal, or returns null when
 * the line has nothing to show (raw lines are shown only with `debug`).
 */
export function formatStreamLine(line: string, options: FormatOptions = {}): string | null {
  const color = options.color ?? colorEnabledByEnv();
  const max = options.maxFieldChars ?? 2000;
  const paint = (style: Style, text: string) => (color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
  const rendered: string[] = [];
  for (const entry of parseStdoutLine(line, "")) {
    const text = renderEntry(entry, paint, max);
    if (text !== null) rendered.push(text);
    else if (options.debug && entry.kind === "stdout") rendered.push(paint("gray", entry.text));
  }
  return rendered.length > 0 ? rendered.join("\n") : null;
}

/** Paperclip `CLIAdapterModule.formatStdoutEvent(line, debug)`: prints the formatted line to stdout. */
export function formatStdoutEvent(line: string, debug: boolean): void {
  const text = formatStreamLine(line, { debug });
  if (text !== null) console.log(text);
}
