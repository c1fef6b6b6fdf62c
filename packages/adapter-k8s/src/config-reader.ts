import type { ConfigIssue } from "./errors.js";

/**
 * Reads raw adapterConfig values and records one issue per invalid field instead of throwing, so a single parse
 * reports every bad field at once. Values typed into Paperclip's generic form arrive as strings, so numbers,
 * booleans, maps and lists also accept their textual forms.
 */
export class ConfigReader {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly raw: Record<string, unknown>) {}

  fail(field: string, message: string): undefined {
    this.issues.push({ field, message });
    return undefined;
  }

  has(key: string): boolean {
    const v = this.raw[key];
    return v !== undefined && v !== null && v !== "";
  }

  value(key: string): unknown {
    const v = this.raw[key];
    return v === null || v === "" ? undefined : v;
  }

  string(key: string, check?: (v: string) => string | undefined): string | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== "string") return this.fail(key, `expected a string, got ${describe(v)}`);
    const trimmed = v.trim();
    if (trimmed === "") return undefined;
    const problem = check?.(trimmed);
    return problem ? this.fail(key, problem) : trimmed;
  }

  enumOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) {
      return this.fail(key, `must be one of ${allowed.join(", ")}`);
    }
    return v as T;
  }

  boolean(key: string): boolean | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true") return true;
    if (v === "false") return false;
    return this.fail(key, `expected true or false, got ${describe(v)}`);
  }

  integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    const n =
      typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n)) return this.fail(key, `expected an integer, got ${describe(v)}`);
    if (n < min || n > max) return this.fail(key, `must be between ${min} and ${max}; got ${n}`);
    return n;
  }

  /** A list of strings: an array, a JSON array, or a comma/newline separated string. */
  stringList(key: string, check?: (v: string) => string | undefined): string[] | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    let items: unknown[];
    if (Array.isArray(v)) items = v;
    else if (typeof v === "string") {
      const parsed = v.trim().startsWith("[") ? tryJson(v) : undefined;
      items = Array.isArray(parsed) ? parsed : v.split(/[\n,]/);
    } else return this.fail(key, `expected a list of strings, got ${describe(v)}`);
    const out: string[] = [];
    for (const [i, item] of items.entries()) {
      if (typeof item !== "string")
        return this.fail(`${key}[${i}]`, `expected a string, got ${describe(item)}`);
      const t = item.trim();
      if (t === "") continue;
      const problem = check?.(t);
      if (problem) return this.fail(`${key}[${i}]`, problem);
      out.push(t);
    }
    return out;
  }

  /** A string map: an object, a JSON object, or `key=value` lines. */
  stringMap(key: string): Record<string, string> | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    let obj: unknown = v;
    if (typeof v === "string") {
      const text = v.trim();
      if (text.startsWith("{")) {
        obj = tryJson(text);
        if (obj === undefined) return this.fail(key, "is not valid JSON");
      } else {
        const out: Record<string, string> = {};
        for (const [i, line] of text.split("\n").entries()) {
          if (line.trim() === "" || line.trim().startsWith("#")) continue;
          const eq = line.indexOf("=");
          if (eq <= 0) return this.fail(key, `line ${i + 1} is not key=value`);
          out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
        }
        return out;
      }
    }
    if (!isPlainObject(obj)) return this.fail(key, `expected an object of strings, got ${describe(v)}`);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(obj)) {
      if (typeof val === "number" || typeof val === "boolean") out[k] = String(val);
      else if (typeof val === "string") out[k] = val;
      else return this.fail(`${key}.${k}`, `expected a string, got ${describe(val)}`);
    }
    return out;
  }

  /** An object or array given as such or as JSON text (textarea fields). */
  json<T extends "object" | "array">(
    key: string,
    shape: T,
  ): (T extends "array" ? unknown[] : Record<string, unknown>) | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    const parsed = typeof v === "string" ? tryJson(v) : v;
    if (parsed === undefined) return this.fail(key, "is not valid JSON");
    const ok = shape === "array" ? Array.isArray(parsed) : isPlainObject(parsed);
    if (!ok) return this.fail(key, `expected a JSON ${shape}, got ${describe(parsed)}`);
    return parsed as T extends "array" ? unknown[] : Record<string, unknown>;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  // String values are never echoed: an operator may have pasted a credential into the wrong field.
  if (typeof v === "string") return "a string";
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}
