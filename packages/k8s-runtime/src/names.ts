import { createHash } from "node:crypto";
import { K8sRuntimeError } from "./errors.js";

/** Kubernetes' limit for label values and DNS-1123 labels (Job, Secret and container names we generate). */
export const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The first `length` (default 8, at most 64) hex characters of SHA-256: stable across processes and versions. */
export function shortHash(input: string, length = HASH_LENGTH): string {
  return createHash("sha256").update(input, "utf8").digest("hex").slice(0, length);
}

export function isValidLabelValue(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && LABEL_VALUE.test(value);
}

export function isValidDnsLabel(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && DNS_LABEL.test(value);
}

function trimEdges(value: string, edge: RegExp): string {
  let start = 0;
  let end = value.length;
  while (start < end && edge.test(value[start] ?? "")) start += 1;
  while (end > start && edge.test(value[end - 1] ?? "")) end -= 1;
  return value.slice(start, end);
}

/**
 * Fit `sanitized` (already made of allowed characters) into `max` characters. When the value had to change
 * (sanitized differs from the original, or is too long) a hash of the ORIGINAL is appended, so distinct inputs
 * that sanitise alike ("a_b" / "a.b" for names) stay distinct, and the result is deterministic.
 */
function fit(
  original: string,
  sanitized: string,
  max: number,
  edge: RegExp,
  hashLength = HASH_LENGTH,
): string {
  if (sanitized === original && sanitized.length <= max && sanitized !== "") return sanitized;
  const hash = shortHash(original, hashLength);
  const room = max - hashLength - 1;
  const head = trimEdges(sanitized.slice(0, room), edge);
  return head === "" ? hash : `${head}-${hash}`;
}

export interface LabelValueOptions {
  /** Hex characters of the hash suffix added when the value had to change (default 8, 4..32). */
  readonly hashLength?: number;
}

/**
 * Any string -> a valid label value: at most 63 characters of `[A-Za-z0-9-_.]`, starting and ending
 * alphanumeric. Unchanged when already valid; otherwise sanitised, truncated and suffixed with a deterministic
 * hash of the input. The empty string stays empty (a valid label value).
 */
export function toLabelValue(input: string, options: LabelValueOptions = {}): string {
  const hashLength = options.hashLength ?? HASH_LENGTH;
  if (!Number.isInteger(hashLength) || hashLength < 4 || hashLength > 32) {
    throw new K8sRuntimeError(
      "k8s_invalid_argument",
      `hashLength must be an integer in [4, 32], got ${hashLength}`,
    );
  }
  if (input === "") return "";
  if (isValidLabelValue(input)) return input;
  const sanitized = trimEdges(input.replace(/[^A-Za-z0-9_.-]+/g, "-"), /[^A-Za-z0-9]/);
  return fit(input, sanitized, MAX_NAME_LENGTH, /[^A-Za-z0-9]/, hashLength);
}

export interface ObjectNameOptions {
  /** Maximum length (default 63, the DNS-1123 label limit; Job names should stay <= 63 so pod labels fit). */
  readonly maxLength?: number;
}

/**
 * Join `parts` with '-' into a DNS-1123 label (lowercase alphanumerics and '-', starting and ending
 * alphanumeric, <= maxLength). Deterministic: the same parts give the same name; when anything had to be changed
 * or cut, an 8-character hash of the joined input is appended (never a trailing '-').
 */
export function toObjectName(parts: string | readonly string[], options: ObjectNameOptions = {}): string {
  const max = options.maxLength ?? MAX_NAME_LENGTH;
  if (!Number.isInteger(max) || max < HASH_LENGTH + 2 || max > 253) {
    throw new K8sRuntimeError(
      "k8s_invalid_argument",
      `maxLength must be an integer in [10, 253], got ${max}`,
    );
  }
  const original = (typeof parts === "string" ? [parts] : parts).join("-");
  if (original === "")
    throw new K8sRuntimeError("k8s_invalid_argument", "object name parts must not be empty");
  const sanitized = trimEdges(original.toLowerCase().replace(/[^a-z0-9-]+/g, "-"), /[^a-z0-9]/).replace(
    /-{2,}/g,
    "-",
  );
  return fit(original, sanitized, max, /[^a-z0-9]/);
}

/** Turn a Job's `spec.selector` into a label selector string (matchLabels and matchExpressions). */
export function selectorToString(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: string[] }>;
}): string {
  const terms = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === "In") terms.push(`${key} in (${values.join(",")})`);
    else if (operator === "NotIn") terms.push(`${key} notin (${values.join(",")})`);
    else if (operator === "Exists") terms.push(key);
    else if (operator === "DoesNotExist") terms.push(`!${key}`);
  }
  return terms.join(",");
}
