import { describe, expect, it } from "vitest";

/**
 * The checks every adapter's agent configuration doc (served by Paperclip at
 * /api/llms/agent-configuration/<type>.txt) must pass: written for an agent that hires agents, from the field
 * definitions, with minimal configs the real parser accepts.
 */
/** The parts of run-core's FieldDef the checks read (this package does not depend on run-core). */
export interface DocumentedField {
  readonly key: string;
  readonly default: unknown;
  readonly schema: { safeParse(value: unknown): { success: boolean } };
  readonly form: {
    readonly label: string;
    readonly type: string;
    readonly hint: string;
    readonly options?: readonly { value: string }[];
  };
}

export interface ConfigDocSuiteInput<D extends DocumentedField> {
  readonly doc: string;
  readonly defs: readonly D[];
  /** run-core's valueDoc. */
  readonly valueDoc: (def: D) => { type: string; values?: readonly string[] | undefined };
  /** run-core's CLAUDE_CREDENTIAL_VARS. */
  readonly credentialVars: readonly string[];
  readonly examples: readonly { title: string; config: unknown }[];
  /** The adapter's real config parser; throws on an invalid config; returns its warnings (none expected). */
  readonly parse: (raw: unknown) => readonly string[];
  /** Config keys that must appear in the credential section. */
  readonly credentialKeys: readonly string[];
}

/** Words that name Paperclip's form widgets, not value types. */
const WIDGETS = /\b(textarea|toggle|combobox|select)\b/i;

/** The line of one key (`- \`key\` — …`). */
export function keyLine(doc: string, key: string): string {
  const line = doc.split("\n").find((l) => l.startsWith(`- \`${key}\` — `));
  if (!line) throw new Error(`no line for ${key}`);
  return line;
}

export function configDocSuite<D extends DocumentedField>(input: ConfigDocSuiteInput<D>): void {
  const { doc, defs, valueDoc } = input;
  describe("agent configuration doc", () => {
    it("gives every key one line with its real type, never a widget name", () => {
      for (const def of defs) {
        const facts = keyLine(doc, def.key).split(" — ")[1]?.split(". ")[0] ?? "";
        expect(facts, def.key).toContain(valueDoc(def).type);
        expect(facts, def.key).not.toMatch(WIDGETS);
      }
      expect(doc.split("\n").filter((l) => /^- `[^`]+` — /.test(l))).toHaveLength(defs.length);
    });

    it("lists every allowed value of an enumerated key, each accepted by its rule, and a non-value refused", () => {
      const enums = defs.filter((d) => d.form.type === "select");
      expect(enums.length).toBeGreaterThan(0);
      for (const def of enums) {
        const values = valueDoc(def).values ?? [];
        expect(values, def.key).toEqual(def.form.options?.map((o) => o.value));
        const line = keyLine(doc, def.key);
        expect(line).toContain(`one of ${values.map((v) => `\`${v}\``).join(", ")}`);
        for (const v of values) expect(def.schema.safeParse(v).success, `${def.key}=${v}`).toBe(true);
        expect(def.schema.safeParse("no-such-value").success, def.key).toBe(false);
      }
    });

    it("says the unit of every duration and the default of every key that has one", () => {
      for (const def of defs) {
        const line = keyLine(doc, def.key);
        if (/Sec$/.test(def.key)) expect(line, def.key).toContain("unit: seconds");
        if (/Ms$/.test(def.key)) expect(line, def.key).toContain("unit: milliseconds");
        if (def.default !== undefined)
          expect(line, def.key).toContain(`default \`${JSON.stringify(def.default)}\``);
        else expect(line, def.key).toContain("optional");
      }
    });

    it("explains each key beyond its label", () => {
      for (const def of defs) {
        const hint = def.form.hint.trim().replace(/\.$/, "");
        expect(hint.toLowerCase(), def.key).not.toBe(def.form.label.toLowerCase());
        expect(hint.split(/\s+/).length, def.key).toBeGreaterThanOrEqual(4);
      }
    });

    it("has minimal working configs the real parser accepts without issues or warnings", () => {
      expect(input.examples.length).toBeGreaterThan(0);
      for (const example of input.examples) {
        expect(input.parse(example.config), example.title).toEqual([]);
        expect(doc).toContain(JSON.stringify(example.config, null, 2));
      }
    });

    it("says where the Claude credential goes", () => {
      const section = /## Claude credential\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? "";
      for (const name of input.credentialVars) expect(section).toContain(name);
      for (const key of input.credentialKeys) expect(section).toContain(`\`${key}\``);
    });
  });
}
