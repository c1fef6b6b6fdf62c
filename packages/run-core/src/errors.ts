import type { AdapterExecutionResult } from "./contract.js";

/**
 * Failures the adapters produce themselves (as opposed to failures of the Claude run, which claude-parse
 * classifies). A failure is a value with a Paperclip error code; it travels as a {@link RunError} and is turned into
 * a result in one place, {@link failureResult}. Nothing is mapped by JavaScript error class.
 */
export interface Failure {
  /** Paperclip error code (`adapter_config_invalid`, `k8s_image_pull_failed`, …). */
  code: string;
  message: string;
  meta?: Record<string, unknown>;
}

/** Codes every adapter shares. Transports add their own (`k8s_*`). */
export const RunErrorCodes = {
  /** One code for invalid config in every adapter; `errorMeta.fields` names the fields. */
  configInvalid: "adapter_config_invalid",
  /** The working directory is missing or unusable (Paperclip treats it as a workspace problem). */
  workspaceInvalid: "workspace_validation_failed",
  /** Anything the adapter could not do that has no more specific code. */
  adapterFailed: "adapter_failed",
  timeout: "timeout",
  cancelled: "cancelled",
  /** Paperclip let go of the run without cancelling it (lease lost: shutdown, rolling update); work left running. */
  detached: "adapter_run_detached",
} as const;

export interface ConfigIssue {
  field: string;
  message: string;
}

export class RunError extends Error {
  override readonly name = "RunError";
  /** The failure's code and meta, also as own fields for callers and tests that read them directly. */
  readonly code: string;
  readonly meta: Record<string, unknown> | undefined;
  constructor(
    readonly failure: Failure,
    options?: { cause?: unknown },
  ) {
    super(failure.message, options);
    this.code = failure.code;
    this.meta = failure.meta;
  }
}

export function runError(code: string, message: string, meta?: Record<string, unknown>): RunError {
  return new RunError(meta === undefined ? { code, message } : { code, message, meta });
}

/** All invalid fields of one config, each named. */
export function configInvalid(adapterType: string, issues: readonly ConfigIssue[]): RunError {
  return runError(
    RunErrorCodes.configInvalid,
    `Invalid ${adapterType} config: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`,
    { fields: issues.map((i) => i.field), issues: issues.map((i) => ({ ...i })) },
  );
}

/** A value thrown by a lower layer that carries its own failure (k8s-runtime errors do, by `code`). */
export type FailureTranslator = (error: unknown) => Failure | undefined;

/**
 * The one mapping from anything thrown to a failure: a RunError keeps its failure, the transport's translator may
 * name lower-layer errors by their code, everything else is `adapter_failed` with its message.
 */
export function toFailure(error: unknown, translate?: FailureTranslator): Failure {
  if (error instanceof RunError) return error.failure;
  const translated = translate?.(error);
  if (translated) return translated;
  return {
    code: RunErrorCodes.adapterFailed,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** A run that failed before or outside the CLI: nothing about the CLI to report. */
export function failureResult(failure: Failure): AdapterExecutionResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    errorCode: failure.code,
    errorMessage: failure.message,
    ...(failure.meta === undefined ? {} : { errorMeta: failure.meta }),
  };
}
