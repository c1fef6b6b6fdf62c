/**
 * Typed errors of the sandbox cluster. `code` is a stable machine-readable reason; `field` names the
 * configuration field or host prerequisite at fault when there is one.
 */
export type SandboxErrorCode =
  | "sandbox_config_invalid"
  | "sandbox_host_unsupported"
  | "sandbox_command_failed"
  | "sandbox_component_failed"
  | "sandbox_timeout"
  | "sandbox_busy"
  | "sandbox_not_running";

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly field: string | undefined;

  constructor(code: SandboxErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SandboxError";
    this.code = code;
    this.field = options.field;
  }
}
