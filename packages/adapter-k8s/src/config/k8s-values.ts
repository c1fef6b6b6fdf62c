import { isValidDnsLabel, isValidLabelValue } from "@paperclip-k8s/k8s-runtime";
import { envName, isPlainObject, line, MAX_VALUE_CHARS, oneOf, text } from "@paperclip-k8s/run-core";
import { z } from "zod";

/**
 * Kubernetes value syntax (names, quantities, image references, label maps) as zod schemas, checked before anything
 * reaches the API server. DNS-1123 labels and label values are k8s-runtime's (names.ts): one definition.
 */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;
// registry[:port]/path[:tag][@sha256:digest]; lower-case path components as the distribution spec requires.
const IMAGE_REF =
  /^(?:[a-zA-Z0-9][a-zA-Z0-9.-]*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Label and annotation prefixes the adapter owns; operator labels may not use them. */
export const RESERVED_LABEL_PREFIXES = [
  "paperclip.ai/",
  "claude-k8s.paperclip.ai/",
  "app.kubernetes.io/managed-by",
];

export function isReservedKey(key: string): boolean {
  return RESERVED_LABEL_PREFIXES.some((p) => key.startsWith(p));
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** A label or annotation key: optional DNS-subdomain prefix, then a name of at most 63 characters. */
export function isQualifiedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** True when the image reference pins a tag or digest other than `latest`. */
export function imageHasPinnedVersion(value: string): boolean {
  if (value.includes("@")) return true;
  const tail = value.slice(value.lastIndexOf("/") + 1);
  const colon = tail.indexOf(":");
  return colon >= 0 && tail.slice(colon + 1) !== "latest";
}

/** Forms keep surrounding blanks; Kubernetes names never have them. */
const trim = (value: unknown): unknown => (typeof value === "string" ? value.trim() : value);

/** A trimmed single-line string that `valid` accepts. */
export function k8sString(
  valid: (v: string) => boolean,
  message: string,
  maxChars = 4096,
): z.ZodType<string> {
  return z.preprocess(trim, line(maxChars).refine(valid, { error: message })) as z.ZodType<string>;
}

/** One of `values`, surrounding blanks ignored. */
export function choice<const V extends readonly [string, ...string[]]>(values: V): z.ZodType<V[number]> {
  return z.preprocess(trim, oneOf(values)) as z.ZodType<V[number]>;
}

export const dnsLabel = (what: string) => k8sString(isValidDnsLabel, `is not a valid ${what} name`, 63);
export const dnsSubdomain = (what: string) => k8sString(isDnsSubdomain, `is not a valid ${what} name`, 253);
export const quantity = z.preprocess(
  (v) => (typeof v === "number" ? String(v) : trim(v)),
  k8sString(isQuantity, "is not a Kubernetes quantity (e.g. 500m, 2Gi)", 64),
) as z.ZodType<string>;
export const imageReference = k8sString(
  (v) => IMAGE_REF.test(v),
  "is not a valid image reference (registry/repository[:tag][@digest])",
);

type Report = (message: string, path?: PropertyKey[]) => undefined;

/** A schema written as a function that reports issues (with paths) instead of composing zod parts. */
function reading<T>(read: (value: unknown, report: Report) => T | undefined): z.ZodType<T> {
  return z.unknown().transform((value, ctx) => {
    let failed = false;
    const out = read(value, (message, path = []) => {
      failed = true;
      ctx.addIssue({ code: "custom", message, path });
      return undefined;
    });
    return failed ? z.NEVER : out;
  }) as unknown as z.ZodType<T>;
}

/** A list of strings: an array, a JSON array, or comma/newline separated text; blank items are dropped. */
export function stringList(item: z.ZodType<string>): z.ZodType<string[]> {
  return reading((value, report) => {
    let items: unknown = value;
    if (typeof value === "string") {
      const parsed = value.trim().startsWith("[") ? tryJson(value) : undefined;
      items = Array.isArray(parsed) ? parsed : value.split(/[\n,]/);
    }
    if (!Array.isArray(items)) return report("expected a list of strings");
    const out: string[] = [];
    for (const [i, raw] of items.entries()) {
      if (typeof raw === "string" && raw.trim() === "") continue;
      const result = item.safeParse(raw);
      if (result.success) out.push(result.data);
      else report(result.error.issues[0]?.message ?? "is invalid", [i]);
    }
    return out;
  });
}

/**
 * A map of strings: an object, a JSON object, or `key=value` / `key: value` lines (`#` comments); numbers and
 * booleans are stringified. `check` names what is wrong with an entry; values are never echoed (they may be
 * secrets). The colon form exists for Paperclip: it redacts `NAME=value` text and object entries whose name looks
 * like a credential (ANTHROPIC_API_KEY…) in every agent read, so its form would save the redaction back; a
 * `NAME: value` line survives. No key (label, annotation, env name) can hold `=` or `:`, so the first of them ends it.
 */
export function stringMap(
  check: (key: string, value: string) => string | undefined,
): z.ZodType<Record<string, string>> {
  return reading((value, report) => {
    const object = typeof value === "string" ? mapText(value, report) : value;
    if (object === undefined) return {};
    if (!isPlainObject(object)) return report("expected an object of key: value");
    const out: [string, string][] = [];
    for (const [key, raw] of Object.entries(object)) {
      const v = typeof raw === "number" || typeof raw === "boolean" ? String(raw) : raw;
      if (typeof v !== "string") {
        report("expected a string", [key]);
        continue;
      }
      const problem = text(MAX_VALUE_CHARS).safeParse(v).success ? check(key, v) : "is not a valid value";
      if (problem) report(problem, [key]);
      else out.push([key, v]);
    }
    return Object.fromEntries(out);
  });
}

function mapText(value: string, report: Report): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith("{")) {
    const parsed = tryJson(trimmed);
    if (parsed === undefined) report("is not valid JSON");
    return parsed;
  }
  const out: Record<string, string> = {};
  for (const [i, raw] of trimmed.split("\n").entries()) {
    const entry = raw.trim();
    if (entry === "" || entry.startsWith("#")) continue;
    const eq = entry.search(/[=:]/);
    if (eq <= 0) {
      report(`line ${i + 1} is not key=value or key: value`);
      return undefined;
    }
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  }
  return out;
}

/** Kubernetes labels (nodeSelector: any key; `labels`: not the adapter's own prefixes). */
export function labelMap(reservedPrefixesAllowed: boolean): z.ZodType<Record<string, string>> {
  return stringMap((key, value) => {
    if (!isQualifiedKey(key)) return "is not a valid label key";
    if (!isValidLabelValue(value)) return "value is not a valid label value (63 chars, alphanumeric, -_.)";
    if (!reservedPrefixesAllowed && isReservedKey(key)) return "uses a prefix reserved for the adapter";
    return undefined;
  });
}

export const annotationMap = stringMap((key) => {
  if (!isQualifiedKey(key)) return "is not a valid annotation key";
  if (isReservedKey(key)) return "uses a prefix reserved for the adapter";
  return undefined;
});

/** `NAME: "<secret-name>/<key>"`: env taken from an existing Secret of the Job's namespace. */
export const secretRefMap = stringMap((name, ref) => {
  if (!envName.safeParse(name).success) return "is not a valid environment variable name";
  const [secretName, key, ...rest] = ref.trim().split("/");
  if (!secretName || !key || rest.length > 0 || !isDnsSubdomain(secretName))
    return 'must be "<secret-name>/<key>"';
  if (!SECRET_KEY.test(key)) return "has an invalid Secret key";
  return undefined;
});

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
