import type { FieldDef } from "./field.js";
import { formLabel, paperclipFormSection } from "./present.js";

/**
 * The agent configuration doc Paperclip serves at /api/llms/agent-configuration/<type>.txt, read by agents that hire
 * agents. Every key's line is derived from its one field definition (type, unit, allowed values, default, meaning,
 * where the UI shows it); the adapter adds only its intro, its credential section and minimal example configs.
 */

/** A minimal working adapterConfig; tests parse each with the adapter's real parser. */
export interface ConfigExample {
  readonly title: string;
  /** What must be true for it to work (one or two sentences). */
  readonly when: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface ConfigurationDocSpec {
  readonly adapterType: string;
  readonly intro: string;
  readonly defs: readonly FieldDef[];
  /** Markdown: where the Claude credential goes. */
  readonly credential: string;
  readonly examples: readonly ConfigExample[];
}

/** How the doc describes one key's value: never a widget name. */
export interface ValueDoc {
  readonly type: string;
  readonly unit: string | undefined;
  readonly values: readonly string[] | undefined;
}

const INFERRED_TYPE: Record<string, string | undefined> = {
  text: "string",
  select: "string",
  combobox: "string",
  number: "integer",
  toggle: "boolean",
};

/** The value's type, unit and allowed values: the field's `doc`, else inferred from its control and key. */
export function valueDoc(def: FieldDef): ValueDoc {
  const doc = def.form.doc ?? {};
  const type = doc.type ?? INFERRED_TYPE[def.form.type];
  if (!type) throw new Error(`${def.key}: a ${def.form.type} field must say its type (form.doc.type)`);
  const unit =
    doc.unit ?? (/Sec$/.test(def.key) ? "seconds" : /Ms$/.test(def.key) ? "milliseconds" : undefined);
  const values =
    doc.values ?? (def.form.type === "select" ? def.form.options?.map((o) => o.value) : undefined);
  return { type, unit, values };
}

const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

function keyLine(def: FieldDef): string {
  const v = valueDoc(def);
  const facts = [v.type];
  if (v.unit) facts.push(`unit: ${v.unit}`);
  if (v.values) facts.push(`one of ${v.values.map(code).join(", ")}`);
  facts.push(def.default === undefined ? "optional" : `default ${code(JSON.stringify(def.default))}`);
  if (def.form.type === "combobox" && def.form.options?.length)
    facts.push(
      `e.g. ${def.form.options
        .slice(0, 3)
        .map((o) => code(o.value))
        .join(", ")}`,
    );
  if (def.aliases.length) facts.push(`also read as ${def.aliases.map(code).join(", ")}`);
  const ui =
    def.form.omitFromForm ??
    `"${formLabel(def)}" under ${paperclipFormSection(def.key)} on the agent's Harness / Runtime page`;
  return `- \`${def.key}\` — ${facts.join("; ")}. ${def.form.hint} UI: ${ui}.`;
}

const RULES = `## Value rules

- Unknown keys are refused: the run and the environment test fail with \`adapter_config_invalid\` naming every bad
  key and field (a near miss names the key it resembles).
- Integers and booleans may also be given as text (\`"300"\`, \`"true"\`): Paperclip's generic form stores text.
- JSON objects and lists may also be given as JSON text; where a key says so, \`NAME: value\` or \`NAME=value\`
  lines, or comma-separated text, are accepted too.
- Paperclip hides from its API answers and its form every key whose name looks like a credential (secret, token,
  auth…) and, elsewhere, \`NAME=value\` text or object entries with such a NAME; its form then saves the hidden text
  (\`***REDACTED***\`) back. Only \`env\` is restored. Keep credentials in \`env\` (or a referenced Secret), and
  write references as the key's line says.
- An optional key left out takes the behaviour its line describes; a key with a default takes that default.`;

/** The markdown doc: intro, minimal configs, credential, value rules, then every key grouped like the form. */
export function toConfigurationDoc(spec: ConfigurationDocSpec): string {
  const lines = [`# ${spec.adapterType} agent configuration`, "", spec.intro.trim(), ""];
  lines.push(
    `When hiring, set \`adapterType\` to \`${spec.adapterType}\` and put these keys in \`adapterConfig\`.`,
    "",
  );
  lines.push("## Minimal working configs", "");
  for (const example of spec.examples) {
    lines.push(`### ${example.title}`, "", example.when.trim(), "", "```json");
    lines.push(JSON.stringify(example.config, null, 2), "```", "");
  }
  lines.push("## Claude credential", "", spec.credential.trim(), "", RULES, "", "## Keys", "");
  for (const [group, members] of groups(spec.defs)) {
    lines.push(`### ${group}`, "");
    for (const def of members) lines.push(keyLine(def));
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function groups(defs: readonly FieldDef[]): Map<string, FieldDef[]> {
  const out = new Map<string, FieldDef[]>();
  for (const def of defs) {
    const list = out.get(def.form.group) ?? [];
    list.push(def);
    out.set(def.form.group, list);
  }
  return out;
}
