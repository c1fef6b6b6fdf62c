/** Errors of the Paperclip e2e harness. `field` names what to fix (a config field, an env var or a prerequisite). */
export class PaperclipHarnessError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PaperclipHarnessError";
  }
}

/** A Paperclip HTTP API call answered with an unexpected status. */
export class PaperclipApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`paperclip: ${method} ${path} -> HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = "PaperclipApiError";
  }
}
