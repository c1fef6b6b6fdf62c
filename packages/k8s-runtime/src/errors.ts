import { AbortError, ApiException, FetchError } from "@kubernetes/client-node";

/** Error codes carried by {@link K8sRuntimeError}; stable strings an adapter can map to Paperclip error codes. */
export type K8sErrorCode =
  | "k8s_config_invalid"
  | "k8s_not_in_cluster"
  | "k8s_own_pod_unreadable"
  | "k8s_own_container_not_found"
  | "k8s_api_error"
  | "k8s_invalid_argument"
  | "k8s_log_stream_failed"
  | "k8s_aborted"
  /** `createOrAdoptJob` steps: creating the Job or freeing its name, its Secrets, inspecting, adopting. */
  | "k8s_job_create_failed"
  | "k8s_secret_create_failed"
  | "k8s_job_check_failed"
  | "k8s_job_adopt_failed";

/** The API server's answer, normalised: HTTP status (0 when no response), machine reason, human message. */
export interface ApiStatus {
  readonly status: number;
  readonly reason: string;
  readonly message: string;
}

export class K8sRuntimeError extends Error {
  readonly code: K8sErrorCode;
  readonly api: ApiStatus | undefined;

  constructor(code: K8sErrorCode, message: string, options: { cause?: unknown; api?: ApiStatus } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "K8sRuntimeError";
    this.code = code;
    this.api = options.api;
  }
}

const REASON_BY_STATUS: Readonly<Record<number, string>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Expired",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export function reasonForStatus(status: number): string {
  return (
    REASON_BY_STATUS[status] ?? (status >= 500 ? "InternalError" : status > 0 ? "Unknown" : "NetworkError")
  );
}

interface StatusLike {
  code?: unknown;
  reason?: unknown;
  message?: unknown;
}

function parseStatusBody(body: unknown): StatusLike | undefined {
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === "object" && parsed !== null ? (parsed as StatusLike) : { message: body };
    } catch {
      return body.trim() === "" ? undefined : { message: body };
    }
  }
  return typeof body === "object" && body !== null ? (body as StatusLike) : undefined;
}

function fromStatusObject(
  fallbackStatus: number,
  status: StatusLike | undefined,
  fallbackMessage: string,
): ApiStatus {
  const code = typeof status?.code === "number" && status.code > 0 ? status.code : fallbackStatus;
  const reason =
    typeof status?.reason === "string" && status.reason !== "" ? status.reason : reasonForStatus(code);
  const message =
    typeof status?.message === "string" && status.message !== "" ? status.message : fallbackMessage;
  return { status: code, reason, message };
}

/** Is `value` a `kind: Status` object as sent in a watch ERROR event? */
export function isStatusObject(value: unknown): value is { kind: "Status"; code?: number; reason?: string } {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Status";
}

/**
 * Normalise anything client-node 1.4.0 throws (ApiException with a JSON-string body, Watch errors carrying
 * `.statusCode`, node-fetch FetchError/AbortError, watch ERROR Status objects) into `{status, reason, message}`,
 * keeping the server's own message whenever it sent one.
 */
export function normalizeApiError(error: unknown): ApiStatus {
  if (error instanceof K8sRuntimeError && error.api) return error.api;
  if (error instanceof ApiException) {
    const status = parseStatusBody(error.body);
    const said = /^Message: (.*)$/m.exec(error.message)?.[1]?.trim();
    const fallback = said && said !== "Unknown API Status Code!" ? said : `HTTP ${error.code}`;
    return fromStatusObject(error.code, status, fallback);
  }
  if (isStatusObject(error)) return fromStatusObject(500, error, "watch error");
  if (error instanceof AbortError || (error instanceof Error && error.name === "AbortError")) {
    return { status: 0, reason: "Aborted", message: error.message || "request aborted" };
  }
  if (error instanceof FetchError) {
    const code = typeof error.code === "string" ? ` (${error.code})` : "";
    return { status: 0, reason: "NetworkError", message: `${error.message}${code}` };
  }
  if (error instanceof Error) {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === "number") {
      return { status: statusCode, reason: reasonForStatus(statusCode), message: error.message };
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) {
      return { status: 0, reason: "NetworkError", message: `${error.message} (${code})` };
    }
    return { status: 0, reason: "Unknown", message: error.message };
  }
  return { status: 0, reason: "Unknown", message: String(error) };
}

export function isNotFound(error: unknown): boolean {
  return normalizeApiError(error).status === 404;
}

export function isConflict(error: unknown): boolean {
  return normalizeApiError(error).status === 409;
}

export function isGone(error: unknown): boolean {
  return normalizeApiError(error).status === 410;
}

/** Transient: worth retrying (network, 429, 5xx except 501). */
export function isTransient(error: unknown): boolean {
  const { status } = normalizeApiError(error);
  return status === 0 || status === 429 || (status >= 500 && status !== 501);
}

/** Wrap an API failure into a {@link K8sRuntimeError} whose message names the operation and keeps the server's. */
export function apiError(operation: string, error: unknown): K8sRuntimeError {
  const api = normalizeApiError(error);
  const code = api.reason === "Aborted" ? "k8s_aborted" : "k8s_api_error";
  const status = api.status === 0 ? api.reason : `${api.status} ${api.reason}`;
  return new K8sRuntimeError(code, `${operation} failed: ${status}: ${api.message}`, { cause: error, api });
}
