import { z } from "zod";

/** How a field appears in Paperclip's generic adapter form (`ConfigFieldSchema` minus key and default). */
export interface FieldForm {
  label: string;
  type: "text" | "select" | "toggle" | "number" | "textarea" | "combobox";
  /** One sentence for the form and the docs; says what the default is when it is not shown as a value. */
  hint: string;
  /** Section of the form and of the docs. */
  group: string;
  options?: readonly { label: string; value: string }[];
  required?: boolean;
  /**
   * Left out of Paperclip's form, with the reason (Paperclip renders its own control for this key, or manages
   * the value); the key stays documented and accepted.
   */
  omitFromForm?: string;
  /** Shown only while the key is unset: once it holds a value, Paperclip renders its own control for it. */
  onlyWhileUnset?: boolean;
  /** What the agent configuration doc says about the value beyond the hint (see {@link FieldDoc}). */
  doc?: FieldDoc;
}

/**
 * The value as the agent configuration doc describes it (the form's widget names say nothing about it). What is
 * left out is inferred by `valueDoc` in present.ts: text, select and combobox are strings, number is an integer,
 * toggle a boolean, a select's options are its values, a key ending in `Sec` counts seconds and `Ms` milliseconds.
 * A textarea field must say its type.
 */
export interface FieldDoc {
  /** The value's type in adapterConfig, e.g. "string (absolute path)", "JSON object of NAME: string". */
  readonly type?: string;
  /** Unit of a number or quantity, e.g. "seconds", "MiB". */
  readonly unit?: string;
  /** Every allowed value of an enumerated key. */
  readonly values?: readonly string[];
}

/**
 * One config key, defined once: its runtime rule (a zod schema over the raw value, absent values excluded), its
 * default, and how Paperclip's form and the docs present it. `O` is the parsed type (`T`, or `T | undefined`
 * when the key has no default).
 */
export interface FieldDef<K extends string = string, T = unknown, O = T | undefined> {
  readonly key: K;
  readonly schema: z.ZodType<T>;
  readonly default: T | undefined;
  readonly form: FieldForm;
  /** Legacy spellings read when the key itself is absent (e.g. `args` for `extraArgs`). */
  readonly aliases: readonly string[];
  /** Phantom: the parsed type. */
  readonly __out?: O;
}

interface FieldSpec<K extends string, T> {
  key: K;
  schema: z.ZodType<T>;
  form: FieldForm;
  aliases?: readonly string[];
}

export function field<K extends string, T>(spec: FieldSpec<K, T> & { default: T }): FieldDef<K, T, T>;
export function field<K extends string, T>(spec: FieldSpec<K, T>): FieldDef<K, T, T | undefined>;
export function field<K extends string, T>(
  spec: FieldSpec<K, T> & { default?: T },
): FieldDef<K, T, T | undefined> {
  return {
    key: spec.key,
    schema: spec.schema,
    default: spec.default,
    form: spec.form,
    aliases: spec.aliases ?? [],
  };
}

/** The parsed config of a list of field definitions: one property per key. */
export type ParsedFields<D extends readonly FieldDef[]> = {
  [F in D[number] as F["key"]]: F extends FieldDef<string, unknown, infer O> ? O : never;
};

// ---- value rules shared by both adapters ----------------------------------------------------------------------

/** Generic forms store numbers as text: a string of digits is accepted as its number, in every adapter. */
function numberFromText(value: unknown): unknown {
  return typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/** Generic forms store toggles as text too: "true"/"false" are accepted as booleans, in every adapter. */
function booleanFromText(value: unknown): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  return value;
}

export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): z.ZodType<number> {
  return z.preprocess(
    numberFromText,
    z
      .number({ error: "expected an integer" })
      .int({ error: "expected an integer" })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  ) as z.ZodType<number>;
}

export const boolean: z.ZodType<boolean> = z.preprocess(
  booleanFromText,
  z.boolean({ error: "expected true or false" }),
) as z.ZodType<boolean>;

/** No value the adapter hands to a process or a pod may hold a NUL or be unreasonably long. */
export const MAX_VALUE_CHARS = 64 * 1024;

/** A single-line string: no control characters (newline, NUL…), bounded. */
export function line(maxChars = 4096): z.ZodString {
  return z
    .string({ error: "expected a string" })
    .max(maxChars, { error: `must be at most ${maxChars} characters` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: "must not contain control characters" });
}

/** Free text (templates): any characters but NUL, bounded. */
export function text(maxChars = MAX_VALUE_CHARS): z.ZodString {
  return z
    .string({ error: "expected a string" })
    .max(maxChars, { error: `must be at most ${maxChars} characters` })
    .refine((v) => !v.includes("\u0000"), { error: "must not contain NUL characters" });
}

export function oneOf<const V extends readonly [string, ...string[]]>(values: V): z.ZodType<V[number]> {
  return z.enum(values, { error: `expected one of ${values.join(", ")}` }) as unknown as z.ZodType<V[number]>;
}

/** An absolute POSIX path without `..` segments or control characters. */
export const absolutePath: z.ZodString = line(4096)
  .refine((v) => v.startsWith("/"), { error: "must be an absolute path" })
  .refine((v) => !v.split("/").includes(".."), { error: "must not contain .. segments" });

export const httpUrl: z.ZodString = line(2048).refine(
  (v) => {
    try {
      const url = new URL(v);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
      return false;
    }
  },
  { error: "must be an http(s) URL" },
);

/** Environment variable names; `constructor`, `__proto__` and friends are not names. */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OBJECT_PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));
export const envName: z.ZodString = z
  .string()
  .regex(ENV_NAME_RE, { error: "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)" })
  .refine((v) => !OBJECT_PROTOTYPE_KEYS.has(v), { error: "is a reserved name" });

/** Plain-object check that refuses objects with a prototype other than Object's (class instances, arrays). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Objects may arrive as JSON text from a textarea: parsed here, once, for every adapter. */
export function jsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}
