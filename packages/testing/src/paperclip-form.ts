/**
 * A model of Paperclip 2026.916.1's agent form for an external adapter (ui-dist
 * AiConnectionCredentialStep-*.js: the generic ConfigFields over getConfigSchema() and the controls the form adds
 * itself), so unit tests can check our schema the way the page shows it. The real page is tested by
 * apps/sandbox/src/paperclip/agent-form.e2e.test.ts.
 */

export interface FormField {
  key: string;
  label: string;
  type: string;
  default?: unknown;
  options?: { value: string; label: string }[];
  meta?: Record<string, unknown>;
}

/**
 * Keys the form renders its own control for when the adapter declares supportsInstructionsBundle, supportsSkills
 * or supportsLocalAgentJwt (both of ours do): the model picker and "Thinking effort" (`effort`) in the Adapter
 * section, "Command" and "Extra args (comma-separated)" under Advanced, the "Environment variables" editor (our
 * `env` field is then never shown), and the instructions bundle (the agent's Instructions page).
 */
export const PAPERCLIP_OWN_CONTROLS: Readonly<Record<string, string>> = {
  model: "Model",
  effort: "Thinking effort",
  command: "Command",
  extraArgs: "Extra args (comma-separated)",
  env: "Environment variables",
  instructionsFilePath: "Instructions (managed bundle)",
};

/** Keys the form adds a control for only once they hold a value (on an existing agent). */
export const PAPERCLIP_CONTROLS_WHEN_SET: Readonly<Record<string, string>> = {
  cwd: "Working directory (deprecated)",
  bootstrapPromptTemplate: "Bootstrap prompt (legacy)",
};

/**
 * Paperclip answers every agent read with each adapterConfig key whose name holds one of these words replaced by
 * "***REDACTED***" (server dist redaction.js, `redactAgentAdapterConfig`; only `env` bindings are restored on save).
 * The form then shows that text, sends it to the environment test and saves it back: such a key is unusable.
 */
export const PAPERCLIP_REDACTED_KEY =
  /api[-_]?key|access[-_]?token|auth|token|authorization|bearer|secret|passwd|password|credential|jwt|private[-_]?key|cookie|connectionstring|browser[-_]?code|login[-_]?url/i;

/** The value the form shows (and, on create, saves) for an unset key: Paperclip's `vi()`. */
export function shownValue(field: FormField): unknown {
  if (field.default !== undefined) return field.default;
  switch (field.type) {
    case "toggle":
      return false;
    case "number":
      return 0;
    case "text":
    case "textarea":
      return "";
    case "select":
      return field.options?.[0]?.value ?? "";
    default:
      return undefined;
  }
}

function hiddenWhileSet(field: FormField): boolean {
  const when = field.meta?.visibleWhen as { key?: unknown; values?: unknown } | undefined;
  return (
    when?.key === field.key && Array.isArray(when.values) && when.values.length === 1 && when.values[0] === ""
  );
}

/** Every way our schema would mislead on Paperclip's page; empty when none. */
export function formProblems(fields: readonly FormField[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.key)) problems.push(`${f.key}: two controls in our own schema`);
    seen.add(f.key);
    if (PAPERCLIP_REDACTED_KEY.test(f.key))
      problems.push(`${f.key}: Paperclip redacts its value (the form shows and saves ***REDACTED***)`);
    const own = PAPERCLIP_OWN_CONTROLS[f.key];
    if (own) problems.push(`${f.key}: duplicates Paperclip's "${own}"`);
    const whenSet = PAPERCLIP_CONTROLS_WHEN_SET[f.key];
    if (whenSet && !hiddenWhileSet(f))
      problems.push(`${f.key}: duplicates Paperclip's "${whenSet}" once set`);
    const shown = shownValue(f);
    if (f.default === undefined && shown !== "" && shown !== undefined)
      problems.push(`${f.key}: unset, but the form shows (and saves on create) ${JSON.stringify(shown)}`);
    if (String(shown).includes("[object ")) problems.push(`${f.key}: shows ${String(shown)}`);
    if (f.type === "select" && f.default !== undefined && !f.options?.some((o) => o.value === f.default))
      problems.push(`${f.key}: default ${JSON.stringify(f.default)} is not an option`);
  }
  return problems;
}
