import {
  type AdapterConfigSchema,
  type AdapterModel,
  CLAUDE_CREDENTIAL_VARS,
  CLAUDE_MODELS,
  type ConfigExample,
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

const INTRO = `Runs the Claude Code CLI (\`claude --print --output-format stream-json --verbose\`) as a local process on
the Paperclip host, in its own process group, with the prompt on stdin; a stopped or timed-out run gets SIGTERM, then
SIGKILL after \`graceSec\`. Sessions are interchangeable with \`claude_k8s\` when both see the same Claude home and
workspace paths. Run the agent's environment test after hiring: it checks the CLI, the working directory, the
instructions file, the Claude credential and answers a hello probe.`;

const CREDENTIAL = `The CLI needs one of these variables, first wins: ${CLAUDE_CREDENTIAL_VARS.map((v) => `\`${v}\``).join(", ")}
(an API key wins over a subscription token), or the logged-in credentials of the server's user. Give it one of three
ways:
- \`env\` (recommended): Paperclip's "Environment variables" of the agent, e.g.
  \`"env": {"ANTHROPIC_API_KEY": "sk-ant-..."}\` or a Paperclip secret binding; \`CLAUDE_CODE_OAUTH_TOKEN\` comes
  from \`claude setup-token\`.
- The Paperclip server's own environment: inherited by the CLI (the environment test warns that it overrides a
  subscription login).
- \`claude login\` run once as the server's user (credentials in its ~/.claude).
Without any, the environment test warns (claude_auth_missing) and runs fail to authenticate.`;

/** Minimal working configs; a test parses each with the real parser. */
export const EXAMPLES: readonly ConfigExample[] = [
  {
    title: "The claude CLI on the server's PATH, API key in the agent's env",
    when: "The Paperclip host has the Claude Code CLI installed as `claude`; runs start in Paperclip's workspace for the run.",
    config: { env: { ANTHROPIC_API_KEY: "sk-ant-..." } },
  },
  {
    title: "A pinned CLI, a fixed working directory and a run timeout",
    when: "The CLI lives at the given path; the directory exists (or can be created) and is writable by the server's user.",
    config: {
      command: "/opt/claude/bin/claude",
      cwd: "/srv/agents/reviewer",
      timeoutSec: 1800,
      env: { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-..." },
    },
  },
];

export const agentConfigurationDoc = toConfigurationDoc({
  adapterType: ADAPTER_TYPE,
  intro: INTRO,
  defs: CONFIG_FIELDS,
  credential: CREDENTIAL,
  examples: EXAMPLES,
});
