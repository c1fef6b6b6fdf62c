import {
  type AdapterConfigSchema,
  type AdapterModel,
  CLAUDE_MODELS,
  toConfigSchema,
  toConfigurationDoc,
} from "@paperclip-k8s/run-core";
import { ADAPTER_TYPE, CONFIG_FIELDS } from "./config.js";

/** Models offered in Paperclip's picker (any id the CLI accepts works; this list is only a convenience). */
export const models: AdapterModel[] = [...CLAUDE_MODELS];

/** The form Paperclip renders for a claude_cli agent: derived from the one definition of each key. */
export function getConfigSchema(): AdapterConfigSchema {
  return toConfigSchema(CONFIG_FIELDS);
}

export const agentConfigurationDoc = toConfigurationDoc(
  ADAPTER_TYPE,
  `Runs the Claude Code CLI (\`claude --print --output-format stream-json --verbose\`) as a local process on the
Paperclip host, in its own process group, with the prompt on stdin. Sessions are interchangeable with \`claude_k8s\`
when both see the same Claude home and workspace paths. Auth: \`ANTHROPIC_API_KEY\` or \`CLAUDE_CODE_OAUTH_TOKEN\` in
\`env\`, or the server user's \`claude login\`.`,
  CONFIG_FIELDS,
);
