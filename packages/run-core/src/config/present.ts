import type { AdapterConfigSchema, ConfigFieldSchema } from "../contract.js";
import type { FieldDef } from "./field.js";

/**
 * Everything users read about the config is derived from the field definitions: Paperclip's form
 * (`getConfigSchema()`), the agent configuration doc (`agentConfigurationDoc`) and the README tables. Tests keep
 * the READMEs equal to {@link toMarkdownTable}.
 */

/** Paperclip's generic form; a default is shown only when it is the value in effect for an unset key. */
export function toConfigSchema(defs: readonly FieldDef[]): AdapterConfigSchema {
  return { fields: defs.filter((def) => def.form.omitFromForm === undefined).map(toFieldSchema) };
}

/**
 * The label the form shows: Paperclip's generic form (2026.916.1) ignores `group` and lists fields flat, in order,
 * so the group leads the label ("Cluster · Namespace").
 */
export function formLabel(def: FieldDef): string {
  return `${def.form.group} · ${def.form.label}`;
}

/**
 * Where Paperclip's agent page (2026.916.1, ui-dist `fo()`) puts a schema field: it routes by key name, not by our
 * group. Keys naming a timeout, grace or lifecycle land in "Run Policy" → "Advanced Run Policy" (collapsed), the
 * rest in "Configuration" (model, extra args, command and env are Paperclip's own controls, never in our schema).
 */
export function paperclipFormSection(key: string): string {
  const runPolicy =
    /timeout|grace|lifecycle/i.test(key) ||
    [
      "lifecycleMode",
      "mode",
      "sessionMode",
      "persistSession",
      "sessionKeyStrategy",
      "warmHandleIdleMs",
    ].includes(key);
  return runPolicy ? "Run Policy → Advanced Run Policy" : "Configuration";
}

function toFieldSchema(def: FieldDef): ConfigFieldSchema {
  const f = def.form;
  const schema: ConfigFieldSchema = {
    key: def.key,
    label: formLabel(def),
    type: f.type,
    hint: f.hint,
    group: f.group,
  };
  if (f.options) schema.options = f.options.map((o) => ({ ...o }));
  if (f.required) schema.required = true;
  // Paperclip's form hides a field whose visibleWhen key's value is not listed: "" is the value of an unset key
  if (f.onlyWhileUnset) schema.meta = { visibleWhen: { key: def.key, values: [""] } };
  const shown = formDefault(def);
  if (shown !== undefined) schema.default = shown;
  return schema;
}

/** Scalars as they are; objects and arrays as the JSON text a textarea edits (never `[object Object]`). */
function formDefault(def: FieldDef): unknown {
  const value = def.default;
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) return value;
  const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
  return empty ? undefined : JSON.stringify(value);
}

/** The README table of config keys: key, group, default, meaning. */
export function toMarkdownTable(defs: readonly FieldDef[]): string {
  const rows = ["| key | group | default | meaning |", "| --- | --- | --- | --- |"];
  for (const def of defs) {
    const value = def.default === undefined ? "—" : `\`${JSON.stringify(def.default)}\``;
    rows.push(`| \`${def.key}\` | ${def.form.group} | ${value} | ${escapeCell(def.form.hint)} |`);
  }
  return rows.join("\n");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * How messages name a config field: the form's label and the key, e.g. `"Env from existing Secrets"
 * (envValueFrom.GH_TOKEN)`, so the operator finds it on the page. A path whose key has no definition is the path.
 */
export function fieldTitle(defs: readonly FieldDef[], path: string): string {
  const [def, rest] = fieldOf(defs, path);
  if (!def) return path;
  // a legacy spelling (alias) is named by the key the form and docs use
  const shown = `${def.key}${rest}`;
  return def.form.omitFromForm === undefined
    ? `"${formLabel(def)}" (${shown})`
    : `${shown} (${def.form.omitFromForm})`;
}

/** The definition a path belongs to (by its key or an alias, the longest match) and the rest of the path. */
function fieldOf(defs: readonly FieldDef[], path: string): [FieldDef | undefined, string] {
  let best: [FieldDef | undefined, string] = [undefined, path];
  let bestLength = -1;
  for (const def of defs) {
    for (const name of [def.key, ...def.aliases]) {
      if ((path === name || path.startsWith(`${name}.`)) && name.length > bestLength) {
        best = [def, path.slice(name.length)];
        bestLength = name.length;
      }
    }
  }
  return best;
}
