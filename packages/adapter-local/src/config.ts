import type { ClaudeEffort, ClaudeInvocationConfig } from "@paperclip-k8s/claude-parse";
import { assertValid, field, integer, line, parseFields, SHARED_FIELDS } from "@paperclip-k8s/run-core";

export const ADAPTER_TYPE = "claude_cli";

export const DEFAULT_COMMAND = "claude";
export const DEFAULT_TERMINAL_RESULT_GRACE_MS = 5_000;
export const DEFAULT_HELLO_PROBE_TIMEOUT_SEC = 45;

/** The keys only a local process has; everything else is run-core's shared definition. */
export const LOCAL_FIELDS = [
  field({
    key: "command",
    schema: line(4096),
    default: DEFAULT_COMMAND,
    form: {
      label: "Claude command",
      type: "text",
      hint: "The Claude Code CLI to run: a name looked up on the server's PATH or an absolute path.",
      group: "Run",
      omitFromForm: `Paperclip's own "Command" under Advanced`,
    },
  }),
  field({
    key: "terminalResultCleanupGraceMs",
    schema: integer(0, 600_000),
    default: DEFAULT_TERMINAL_RESULT_GRACE_MS,
    form: {
      label: "Exit grace after result (ms)",
      type: "number",
      hint: "How long the CLI may keep running after it wrote its result before the adapter ends it (0 to 600000).",
      group: "Run",
    },
  }),
  field({
    key: "helloProbeTimeoutSec",
    schema: integer(1, 3600),
    default: DEFAULT_HELLO_PROBE_TIMEOUT_SEC,
    form: {
      label: "Test probe timeout (s)",
      type: "number",
      hint: "Time limit of the environment test's hello probe (one short prompt to the model).",
      group: "Run",
    },
  }),
] as const;

export const CONFIG_FIELDS = [...SHARED_FIELDS, ...LOCAL_FIELDS] as const;

/**
 * The adapter config of a `claude_cli` agent, parsed once at the edge. Keys and rules are the same as claude_k8s
 * wherever they apply (one definition each, in run-core); `command` takes the place of the Kubernetes fields.
 */
export interface LocalAdapterConfig {
  /** Everything that shapes the CLI argv (model, effort, maxTurnsPerRun, permissions, instructions, extraArgs). */
  readonly invocation: ClaudeInvocationConfig;
  readonly command: string;
  /** Absolute working directory; when absent, the Paperclip workspace cwd, then the server's cwd. */
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSec: number;
  readonly graceSec: number;
  readonly terminalResultGraceMs: number;
  readonly helloProbeTimeoutSec: number;
  readonly promptTemplate: string | undefined;
  readonly bootstrapPromptTemplate: string | undefined;
  readonly paperclipApiUrl: string | undefined;
}

/** Parses Paperclip's `adapterConfig`; throws one `adapter_config_invalid` error naming every bad field. */
export function parseLocalConfig(raw: unknown): LocalAdapterConfig {
  const { config: c, issues } = parseFields(CONFIG_FIELDS, raw);
  assertValid(ADAPTER_TYPE, issues);
  return {
    invocation: {
      model: c.model,
      effort: c.effort as ClaudeEffort | undefined,
      maxTurnsPerRun: c.maxTurnsPerRun,
      dangerouslySkipPermissions: c.dangerouslySkipPermissions,
      instructionsFilePath: c.instructionsFilePath,
      extraArgs: c.extraArgs,
    },
    command: c.command,
    cwd: c.cwd,
    env: c.env,
    timeoutSec: c.timeoutSec,
    graceSec: c.graceSec,
    terminalResultGraceMs: c.terminalResultCleanupGraceMs,
    helloProbeTimeoutSec: c.helloProbeTimeoutSec,
    promptTemplate: c.promptTemplate,
    bootstrapPromptTemplate: c.bootstrapPromptTemplate,
    paperclipApiUrl: c.paperclipApiUrl,
  };
}
