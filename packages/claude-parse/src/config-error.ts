/** Thrown for invalid invocation input; `field` names the offending config path. */
export class ClaudeConfigError extends Error {
  readonly code = "claude_config_invalid";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ClaudeConfigError";
  }
}
