import { CLAUDE_EFFORTS } from "@paperclip-k8s/claude-parse";
import { z } from "zod";
import { CLAUDE_MODELS } from "../contract.js";
import {
  absolutePath,
  boolean,
  envName,
  field,
  httpUrl,
  integer,
  isPlainObject,
  jsonText,
  line,
  oneOf,
  text,
} from "./field.js";

/**
 * The keys every Claude adapter shares, each defined once: the same key has the same rule in claude_k8s and
 * claude_cli. Transport keys (Kubernetes, local process) are defined beside their transport.
 */

/** Largest single CLI argument the adapters pass (a 1 MB model name is a mistake, not a model). */
const MAX_ARG_CHARS = 8192;

const model = field({
  key: "model",
  schema: line(256).refine((v) => !/\s/.test(v), { error: "must not contain whitespace" }),
  form: {
    label: "Model",
    type: "combobox",
    options: CLAUDE_MODELS.map((m) => ({ value: m.id, label: m.label })),
    hint: "Claude model id passed as --model (any id the CLI accepts); unset: the CLI's default model.",
    group: "Claude",
    omitFromForm: `Paperclip's own "Model" picker`,
  },
});

const effort = field({
  key: "effort",
  schema: oneOf(CLAUDE_EFFORTS),
  form: {
    label: "Effort",
    type: "select",
    options: CLAUDE_EFFORTS.map((v) => ({ value: v, label: v })),
    hint: "Reasoning effort passed as --effort; unset: the CLI decides (Paperclip shows Auto).",
    group: "Claude",
    omitFromForm: `Paperclip's own "Thinking effort" (Auto, Low, Medium, High)`,
  },
});

const maxTurnsPerRun = field({
  key: "maxTurnsPerRun",
  schema: integer(0, 10_000),
  default: 0,
  form: {
    label: "Max turns per run",
    type: "number",
    hint: "Most agentic turns the CLI takes in one run (--max-turns); 0: no limit.",
    group: "Claude",
  },
});

const dangerouslySkipPermissions = field({
  key: "dangerouslySkipPermissions",
  schema: boolean,
  default: true,
  form: {
    label: "Skip permission prompts",
    type: "toggle",
    hint: "Pass --dangerously-skip-permissions so tools run without approval prompts, which an unattended run cannot answer (Paperclip's default: on).",
    group: "Claude",
  },
});

const instructionsFilePath = field({
  key: "instructionsFilePath",
  schema: absolutePath,
  form: {
    label: "Instructions file",
    type: "text",
    hint: "Absolute path of the agent's AGENTS.md on the Paperclip server (managed by Paperclip's instructions bundle); appended to the system prompt of fresh sessions.",
    group: "Claude",
    omitFromForm: `managed by Paperclip through the agent's "Instructions" page`,
    doc: { type: "string (absolute path)" },
  },
});

const extraArgs = field({
  key: "extraArgs",
  aliases: ["args"],
  schema: z.preprocess(
    jsonText,
    z
      .array(line(MAX_ARG_CHARS), { error: "expected an array of strings" })
      .max(64, { error: "at most 64 arguments" }),
  ) as z.ZodType<string[]>,
  default: [],
  form: {
    label: "Extra CLI arguments",
    type: "textarea",
    hint: 'Appended to the claude command line: an array of strings (JSON text ["--verbose"] is accepted).',
    group: "Claude",
    omitFromForm: `Paperclip's own "Extra args (comma-separated)" under Advanced`,
    doc: { type: "list of strings (JSON array)" },
  },
});

const promptTemplate = field({
  key: "promptTemplate",
  schema: text(),
  form: {
    label: "Prompt template",
    type: "textarea",
    hint: "Heartbeat prompt with {{ agent.name }}-style placeholders; unset: the default heartbeat prompt. New agents keep their instructions in the instructions bundle (AGENTS.md).",
    group: "Prompt",
    doc: { type: "string (template)" },
  },
});

const bootstrapPromptTemplate = field({
  key: "bootstrapPromptTemplate",
  schema: text(),
  form: {
    label: "Bootstrap prompt",
    type: "textarea",
    hint: "Text prepended to the prompt of a fresh session only (not on resume); legacy, prefer the instructions bundle.",
    group: "Prompt",
    doc: { type: "string (template)" },
    onlyWhileUnset: true,
  },
});

/** A resolved value of `env`: text, a number or boolean (stringified), or Paperclip's resolved binding `{ value }`. */
const envValue = z.union(
  [
    z.string(),
    z.number().transform(String),
    z.boolean().transform(String),
    z.object({ value: z.string() }).transform((b) => b.value),
  ],
  { error: "expected a string or a resolved binding { value } (an unresolved secret binding?)" },
);

const env = field({
  key: "env",
  schema: z
    .preprocess(
      jsonText,
      z
        .custom<Record<string, unknown>>(isPlainObject, { error: "expected an object of NAME: value" })
        .pipe(z.record(z.string(), envValue.pipe(text()))),
    )
    .superRefine((values, ctx) => {
      for (const name of Object.keys(values ?? {})) {
        const verdict = envName.safeParse(name);
        if (!verdict.success) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: verdict.error.issues[0]?.message ?? "invalid name",
          });
        } else if (name === "PAPERCLIP_API_KEY") {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: "is set by the run itself from Paperclip's run token and cannot be configured",
          });
        }
      }
    }) as z.ZodType<Record<string, string>>,
  default: {},
  form: {
    label: "Environment",
    type: "textarea",
    hint: "Variables for the CLI as an object of NAME: value (JSON text accepted); Paperclip resolves secret bindings. Never overrides the run's PAPERCLIP_* variables.",
    group: "Environment",
    omitFromForm: `Paperclip's own "Environment variables" editor (plain values and secret bindings)`,
    doc: { type: "JSON object of NAME: string" },
  },
});

const timeoutSec = field({
  key: "timeoutSec",
  // Paperclip's convention: 0 (or a negative value) means no timeout.
  schema: integer(-1, 7 * 24 * 3600)
    .transform((v) => Math.max(0, v))
    .refine((v) => v === 0 || v >= 10, { error: "must be 0 (no timeout) or at least 10" }),
  default: 0,
  form: {
    label: "Run timeout (s)",
    type: "number",
    hint: "Wall-clock limit of one run, then it is stopped and fails as timed out; 0: none, else at least 10.",
    group: "Run",
  },
});

const graceSec = field({
  key: "graceSec",
  schema: integer(0, 3600),
  default: 20,
  form: {
    label: "Stop grace (s)",
    type: "number",
    hint: "Time between SIGTERM and SIGKILL when a run is stopped (cancel or timeout).",
    group: "Run",
  },
});

const paperclipApiUrl = field({
  key: "paperclipApiUrl",
  schema: httpUrl.transform((v) => v.replace(/\/+$/, "")),
  form: {
    label: "Paperclip API URL",
    type: "text",
    hint: "PAPERCLIP_API_URL as reachable from where the CLI runs; unset: the URL the server advertises.",
    group: "Paperclip",
    doc: { type: "string (http or https URL)" },
  },
});

const cwd = field({
  key: "cwd",
  schema: absolutePath,
  form: {
    label: "Working directory",
    type: "text",
    hint: "Absolute path; unset: Paperclip's workspace for the run.",
    group: "Run",
    onlyWhileUnset: true,
    doc: { type: "string (absolute path)" },
  },
});

/** The shared keys by name (an adapter may re-present one, e.g. `cwd`, keeping its rule). */
export const sharedFields = {
  model,
  effort,
  maxTurnsPerRun,
  dangerouslySkipPermissions,
  instructionsFilePath,
  extraArgs,
  promptTemplate,
  bootstrapPromptTemplate,
  env,
  timeoutSec,
  graceSec,
  paperclipApiUrl,
  cwd,
} as const;

/** Keys of the Claude CLI invocation and of the Paperclip run, in the order forms and docs show them. */
export const SHARED_FIELDS = Object.values(sharedFields);
