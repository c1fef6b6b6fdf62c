/** Defensive field readers for CLI payloads whose field types drift between versions. */

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** `errors` entries are strings today; older consumers also saw `{message|error|code}` objects. */
export function errorStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === "string") out.push(item);
    else {
      const rec = asRecord(item);
      const text = asString(rec?.message) ?? asString(rec?.error) ?? asString(rec?.code);
      if (text !== undefined) out.push(text);
    }
  }
  return out;
}
