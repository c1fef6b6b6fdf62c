/**
 * Typed failures of the adapter itself (as opposed to failures of the Claude run, which claude-parse classifies).
 * Each carries the Paperclip error code the server keys its retry / continuation policies on.
 */

/** Paperclip error codes this adapter produces on its own. */
export type LocalAdapterErrorCode =
  /** A config field has the wrong type or value. */
  | "adapter_config_invalid"
  /** `cwd` is missing, not a directory, or not writable. Paperclip treats it as a workspace problem. */
  | "workspace_validation_failed"
  /** The CLI command cannot be found or started. */
  | "adapter_failed"
  | "timeout"
  | "cancelled";

export class LocalAdapterError extends Error {
  override readonly name = "LocalAdapterError";
  readonly code: LocalAdapterErrorCode;
  /** The config key or path at fault, when there is one. */
  readonly field: string | undefined;

  constructor(
    code: LocalAdapterErrorCode,
    message: string,
    options: { field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/** A config field failed validation; the message always names the field. */
export class ConfigError extends LocalAdapterError {
  constructor(field: string, problem: string) {
    super("adapter_config_invalid", `claude_cli config: "${field}" ${problem}`, { field });
  }
}

export function isLocalAdapterError(value: unknown): value is LocalAdapterError {
  return value instanceof LocalAdapterError;
}
