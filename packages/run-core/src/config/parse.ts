import type { z } from "zod";
import { type ConfigIssue, configInvalid } from "../errors.js";
import { type FieldDef, isPlainObject, type ParsedFields } from "./field.js";

/**
 * Keys Paperclip itself writes into an agent's adapterConfig (skills, instructions bundle, its own form's fields
 * that some adapters ignore). They are known, so never reported as unknown, and never read unless a field says so.
 */
export const PAPERCLIP_OWNED_KEYS: readonly string[] = [
  "paperclipRuntimeSkills",
  "paperclipSkillSync",
  "paperclipManagedMcp",
  "instructionsBundleMode",
  "instructionsRootPath",
  "instructionsEntryFile",
  "managedAiConnection",
  // Runtime-only: applyConnectorSkills() and prepareConnectorSkillDelivery() in @paperclipai/server's
  // dist/services/connector-runtime.js add it (a digest of the connector skills, null when none is assigned) to the
  // config of every run (dist/services/heartbeat.js, before adapter.execute).
  "paperclipConnectorSkillDigest",
];

export interface ParseOptions {
  /** More keys that are known but not fields (for example keys another adapter type owns and Paperclip keeps). */
  knownKeys?: readonly string[];
}

/**
 * Parses a raw adapterConfig against field definitions. Absent means `undefined`, `null` or `""`. Every bad field
 * and every unknown key is collected; nothing is thrown here, so adapters can add cross-field issues before
 * {@link assertValid} throws one error naming them all.
 */
export function parseFields<const D extends readonly FieldDef[]>(
  defs: D,
  raw: unknown,
  options: ParseOptions = {},
): { config: ParsedFields<D>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const record = raw === undefined || raw === null ? {} : raw;
  if (!isPlainObject(record)) {
    issues.push({ field: "(config)", message: "expected an object" });
    return { config: defaults(defs), issues };
  }
  const out: Record<string, unknown> = {};
  for (const def of defs) {
    const [key, value] = readWithAliases(record, def);
    if (value === undefined) {
      out[def.key] = def.default === undefined ? undefined : structuredClone(def.default);
      continue;
    }
    const result = (def.schema as z.ZodType).safeParse(value);
    if (result.success) out[def.key] = result.data;
    else
      for (const issue of result.error.issues)
        issues.push({ field: fieldPath(key, issue.path), message: issue.message });
  }
  issues.push(...unknownKeys(defs, record, options.knownKeys ?? []));
  return { config: out as ParsedFields<D>, issues };
}

/** Throws the one config error (code `adapter_config_invalid`) naming every issue, if there is any. */
export function assertValid(adapterType: string, issues: readonly ConfigIssue[]): void {
  if (issues.length > 0) throw configInvalid(adapterType, issues);
}

function defaults<D extends readonly FieldDef[]>(defs: D): ParsedFields<D> {
  return Object.fromEntries(defs.map((d) => [d.key, d.default])) as ParsedFields<D>;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function readWithAliases(record: Record<string, unknown>, def: FieldDef): [string, unknown] {
  for (const key of [def.key, ...def.aliases]) {
    if (Object.hasOwn(record, key) && !isAbsent(record[key])) return [key, record[key]];
  }
  return [def.key, undefined];
}

function fieldPath(key: string, path: readonly PropertyKey[]): string {
  let out = key;
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return out;
}

function unknownKeys(
  defs: readonly FieldDef[],
  record: Record<string, unknown>,
  extra: readonly string[],
): ConfigIssue[] {
  const known = new Set<string>([
    ...defs.flatMap((d) => [d.key, ...d.aliases]),
    ...PAPERCLIP_OWNED_KEYS,
    ...extra,
  ]);
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(record)) {
    if (known.has(key)) continue;
    const near = nearest(key, [...defs.map((d) => d.key)]);
    issues.push({
      field: key,
      message: near ? `is not a known key (did you mean "${near}"?)` : "is not a known key",
    });
  }
  return issues;
}

/** The closest key by edit distance (case-insensitive), when it is close enough to be a likely typo. */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
