/** The `--effort` levels the CLI accepts. */
export const CLAUDE_EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
export type ClaudeEffort = (typeof CLAUDE_EFFORTS)[number];

/** Everything that shapes the `claude` argv. Validate untrusted input first (the adapters' config definitions do). */
export interface ClaudeInvocationConfig {
  model?: string | undefined;
  effort?: ClaudeEffort | undefined;
  /** `--max-turns N` when > 0. */
  maxTurnsPerRun?: number | undefined;
  /** `--dangerously-skip-permissions`. Paperclip's default is true. */
  dangerouslySkipPermissions?: boolean | undefined;
  /** Absolute path of a markdown file appended to the system prompt (fresh sessions only, as Paperclip does). */
  instructionsFilePath?: string | undefined;
  /** Directories made readable to the agent (`--add-dir`): prompt bundle root, skills dir. */
  addDirs?: readonly string[] | undefined;
  /** `--mcp-config <path> --strict-mcp-config`. */
  mcpConfigPath?: string | undefined;
  /** Session to resume (`--resume <id>`). */
  resumeSessionId?: string | undefined;
  /** `--include-partial-messages` (stream_event lines). */
  includePartialMessages?: boolean | undefined;
  /** Appended verbatim, last. */
  extraArgs?: readonly string[] | undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a session id the CLI accepts for `--resume` in print mode without a title lookup. */
export function isResumableSessionId(id: unknown): id is string {
  return typeof id === "string" && UUID_RE.test(id);
}

/**
 * Builds the argv (without the `claude` command itself). The prompt goes to stdin.
 * Order: output contract, resume, permissions, model, effort, turns, instructions, MCP, dirs, extraArgs.
 */
export function buildClaudeArgs(config: ClaudeInvocationConfig): string[] {
  const args = ["--print", "--output-format", "stream-json", "--verbose"];
  if (config.includePartialMessages) args.push("--include-partial-messages");
  const resuming = config.resumeSessionId !== undefined && config.resumeSessionId !== "";
  if (resuming) args.push("--resume", config.resumeSessionId as string);
  if (config.dangerouslySkipPermissions) args.push("--dangerously-skip-permissions");
  if (config.model) args.push("--model", config.model);
  if (config.effort) args.push("--effort", config.effort);
  if (config.maxTurnsPerRun !== undefined && config.maxTurnsPerRun > 0) {
    args.push("--max-turns", String(Math.floor(config.maxTurnsPerRun)));
  }
  if (config.instructionsFilePath && !resuming) {
    args.push("--append-system-prompt-file", config.instructionsFilePath);
  }
  if (config.mcpConfigPath) args.push("--mcp-config", config.mcpConfigPath, "--strict-mcp-config");
  for (const dir of config.addDirs ?? []) args.push("--add-dir", dir);
  if (config.extraArgs) args.push(...config.extraArgs);
  return args;
}
