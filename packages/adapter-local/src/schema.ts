import { type AdapterConfigSchema, type AdapterModel, CLAUDE_MODELS } from "@paperclip-k8s/claude-parse";
import { DEFAULT_GRACE_SEC } from "./config.js";

/** Models offered in Paperclip's picker (any id the CLI accepts works; this list is only a convenience). */
export const models: AdapterModel[] = [...CLAUDE_MODELS];

/** The form Paperclip renders for a claude_cli agent. */
export function getConfigSchema(): AdapterConfigSchema {
  return {
    fields: [
      {
        key: "cwd",
        label: "Working directory",
        type: "text",
        hint: "Absolute path. Paperclip's run workspace wins when it has one; created if missing.",
        group: "Run",
      },
      {
        key: "command",
        label: "Claude command",
        type: "text",
        default: "claude",
        hint: "Name on PATH or absolute path of the Claude Code CLI.",
        group: "Run",
      },
      {
        key: "model",
        label: "Model",
        type: "combobox",
        options: models.map((m) => ({ value: m.id, label: m.label })),
        hint: "Empty = the CLI's default.",
        group: "Claude",
      },
      {
        key: "effort",
        label: "Effort",
        type: "select",
        options: ["low", "medium", "high", "xhigh", "max"].map((v) => ({ value: v, label: v })),
        group: "Claude",
      },
      {
        key: "maxTurnsPerRun",
        label: "Max turns per run",
        type: "number",
        hint: "0 = no limit.",
        group: "Claude",
      },
      {
        key: "dangerouslySkipPermissions",
        label: "Skip permission prompts",
        type: "toggle",
        default: true,
        hint: "Headless runs cannot answer permission prompts.",
        group: "Claude",
      },
      {
        key: "instructionsFilePath",
        label: "Instructions file",
        type: "text",
        hint: "Absolute path of a markdown file appended to the system prompt of new sessions.",
        group: "Claude",
      },
      {
        key: "extraArgs",
        label: "Extra CLI arguments",
        type: "text",
        hint: "Appended last.",
        group: "Claude",
      },
      { key: "promptTemplate", label: "Prompt template", type: "textarea", group: "Prompt" },
      {
        key: "bootstrapPromptTemplate",
        label: "Bootstrap prompt template",
        type: "textarea",
        hint: "Prepended on fresh sessions only.",
        group: "Prompt",
      },
      {
        key: "paperclipApiUrl",
        label: "Paperclip API URL",
        type: "text",
        hint: "PAPERCLIP_API_URL for the agent; default: what the server advertises.",
        group: "Run",
      },
      {
        key: "timeoutSec",
        label: "Timeout (s)",
        type: "number",
        default: 0,
        hint: "0 = no timeout.",
        group: "Limits",
      },
      {
        key: "graceSec",
        label: "Grace (s)",
        type: "number",
        default: DEFAULT_GRACE_SEC,
        hint: "Between SIGTERM and SIGKILL when a run is stopped.",
        group: "Limits",
      },
    ],
  };
}

export const agentConfigurationDoc = `# claude_cli agent configuration

Runs the Claude Code CLI (\`claude --print --output-format stream-json --verbose\`) as a local process on the
Paperclip host, in its own process group, with the prompt on stdin. Sessions are interchangeable with \`claude_k8s\`
when both see the same Claude home and workspace paths.

| key | type | default | meaning |
|---|---|---|---|
| cwd | absolute path | run workspace, else server cwd | Working directory (created if missing). |
| command | string | \`claude\` | CLI name on PATH or absolute path. |
| model | string | CLI default | \`--model\`. |
| effort | low, medium, high, xhigh, max | — | \`--effort\`. |
| maxTurnsPerRun | integer ≥ 0 | 0 (none) | \`--max-turns\`. |
| dangerouslySkipPermissions | boolean | true | \`--dangerously-skip-permissions\`. |
| instructionsFilePath | absolute path | — | Appended to the system prompt of new sessions. |
| extraArgs | string[] | [] | Appended to the argv. |
| env | object NAME → string | {} | Extra environment (never overrides PAPERCLIP_* run variables; PAPERCLIP_API_KEY is refused). |
| promptTemplate / bootstrapPromptTemplate | string | built-in | Paperclip \`{{ path }}\` templates. |
| paperclipApiUrl | http(s) URL | server's advertised URL | PAPERCLIP_API_URL given to the agent. |
| timeoutSec | number ≥ 0 | 0 (none) | Wall-clock limit; then SIGTERM to the process group, SIGKILL after graceSec. |
| graceSec | number ≥ 0 | ${DEFAULT_GRACE_SEC} | SIGTERM → SIGKILL grace. |

Auth: \`ANTHROPIC_API_KEY\` or \`CLAUDE_CODE_OAUTH_TOKEN\` in \`env\`, or the server user's \`claude login\`.
`;
