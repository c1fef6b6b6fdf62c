import { AbortError, ApiException, FetchError } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { apiError, isGone, isNotFound, isTransient, K8sRuntimeError, normalizeApiError } from "./errors.js";

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

describe("normalizeApiError", () => {
  it("parses the JSON-string body of an ApiException and keeps the server's message", () => {
    const error = new ApiException(
      409,
      "HTTP-Code: 409\nMessage: Unknown API Status Code!",
      status(409, "AlreadyExists", 'jobs.batch "x" already exists'),
      {},
    );
    expect(normalizeApiError(error)).toEqual({
      status: 409,
      reason: "AlreadyExists",
      message: 'jobs.batch "x" already exists',
    });
  });

  it("handles a 422 Invalid and a 403 Forbidden body", () => {
    const invalid = new ApiException(
      422,
      "m",
      status(422, "Invalid", 'Job.batch "X" is invalid: metadata.name'),
      {},
    );
    expect(normalizeApiError(invalid).reason).toBe("Invalid");
    const forbidden = new ApiException(
      403,
      "m",
      status(403, "Forbidden", "jobs.batch is forbidden: User cannot create"),
      {},
    );
    expect(normalizeApiError(forbidden)).toMatchObject({
      status: 403,
      message: "jobs.batch is forbidden: User cannot create",
    });
  });

  it("copes with the body-less 401 and the log API's message-less errors", () => {
    expect(normalizeApiError(new ApiException(401, "Unknown API Status Code!", undefined, {}))).toEqual({
      status: 401,
      reason: "Unauthorized",
      message: "HTTP 401",
    });
    expect(normalizeApiError(new ApiException(400, "Error occurred in log request", undefined, {}))).toEqual({
      status: 400,
      reason: "BadRequest",
      message: "Error occurred in log request",
    });
  });

  it("reads a V1Status object body (log API 500)", () => {
    const error = new ApiException(
      500,
      "boom",
      { code: 500, reason: "InternalError", message: "kubelet unreachable" },
      {},
    );
    expect(normalizeApiError(error)).toEqual({
      status: 500,
      reason: "InternalError",
      message: "kubelet unreachable",
    });
  });

  it("keeps a non-JSON text body as the message", () => {
    expect(normalizeApiError(new ApiException(502, "x", "Bad Gateway from proxy", {}))).toEqual({
      status: 502,
      reason: "InternalError",
      message: "Bad Gateway from proxy",
    });
  });

  it("maps Watch connect errors carrying .statusCode", () => {
    const error = Object.assign(new Error("Forbidden"), { statusCode: 403 });
    expect(normalizeApiError(error)).toEqual({ status: 403, reason: "Forbidden", message: "Forbidden" });
  });

  it("maps watch ERROR Status objects (410 Expired)", () => {
    const event = {
      kind: "Status",
      code: 410,
      reason: "Expired",
      message: "too old resource version: 1 (20)",
    };
    expect(normalizeApiError(event)).toEqual({
      status: 410,
      reason: "Expired",
      message: "too old resource version: 1 (20)",
    });
    expect(isGone(event)).toBe(true);
  });

  it("maps network errors and aborts", () => {
    const refused = new FetchError("request to https://127.0.0.1:6443 failed", "system", {
      code: "ECONNREFUSED",
    } as never);
    expect(normalizeApiError(refused)).toMatchObject({ status: 0, reason: "NetworkError" });
    expect(isTransient(refused)).toBe(true);
    expect(normalizeApiError(new AbortError("The user aborted a request."))).toMatchObject({
      status: 0,
      reason: "Aborted",
    });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(normalizeApiError(reset)).toEqual({
      status: 0,
      reason: "NetworkError",
      message: "socket hang up (ECONNRESET)",
    });
    const premature = Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
    expect(normalizeApiError(premature)).toMatchObject({ status: 0, reason: "NetworkError" });
    expect(isTransient(premature)).toBe(true);
  });

  it("classifies", () => {
    expect(isNotFound(new ApiException(404, "m", status(404, "NotFound", "not found"), {}))).toBe(true);
    expect(isTransient(new ApiException(404, "m", undefined, {}))).toBe(false);
    expect(isTransient(new ApiException(503, "m", undefined, {}))).toBe(true);
    expect(isTransient(new ApiException(429, "m", undefined, {}))).toBe(true);
  });
});

describe("apiError", () => {
  it("names the operation and keeps the server message", () => {
    const error = apiError(
      "create Job ns/x",
      new ApiException(403, "m", status(403, "Forbidden", "cannot create jobs"), {}),
    );
    expect(error).toBeInstanceOf(K8sRuntimeError);
    expect(error.code).toBe("k8s_api_error");
    expect(error.message).toBe("create Job ns/x failed: 403 Forbidden: cannot create jobs");
    expect(normalizeApiError(error)).toEqual({
      status: 403,
      reason: "Forbidden",
      message: "cannot create jobs",
    });
  });
});
