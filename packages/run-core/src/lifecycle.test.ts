import { describe, expect, it } from "vitest";
import type { AdapterExecutionContext, AdapterExecutionResult } from "./contract.js";
import { RunError } from "./errors.js";
import { type AttemptOutcome, type AttemptRequest, createExecute, type Transport } from "./lifecycle.js";
import type { RunScope } from "./resume.js";

const SID = "0b7a4c1e-2f7d-4c1a-9a57-4f1e0c3b9d21";
const scope: RunScope = {
  cwd: "/w",
  claudeHome: "/h/.claude",
  instructionsFilePath: undefined,
  persistentHome: true,
};

function context(over: Partial<AdapterExecutionContext> = {}) {
  const logs: string[] = [];
  const ctx = {
    runId: "run-1",
    agent: { id: "a", companyId: "c", name: "A", adapterType: "t", adapterConfig: {} },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config: {},
    context: {},
    onLog: async (stream: string, chunk: string) => {
      logs.push(`${stream}:${chunk}`);
    },
    ...over,
  } as AdapterExecutionContext;
  return { ctx, logs };
}

const ok: AdapterExecutionResult = { exitCode: 0, signal: null, timedOut: false, sessionId: SID };

function transport(
  attempts: ((r: AttemptRequest<object, { scope: RunScope }>) => Promise<AttemptOutcome>)[],
) {
  const seen: AttemptRequest<object, { scope: RunScope }>[] = [];
  const t: Transport<object, { scope: RunScope }> = {
    adapterType: "test",
    parseConfig: () => ({ config: {}, warnings: ["w1"] }),
    prepare: async () => ({ scope }),
    attempt: async (request) => {
      seen.push(request);
      const next = attempts.shift();
      if (!next) throw new Error("no more attempts");
      return next(request);
    },
  };
  return { t, seen };
}

describe("createExecute", () => {
  it("runs one attempt and writes warnings on stderr, status on stdout", async () => {
    const { t, seen } = transport([async () => ({ result: ok, ended: "ran" })]);
    const { ctx, logs } = context();
    expect(await createExecute(t)(ctx)).toEqual(ok);
    expect(seen).toHaveLength(1);
    expect(logs).toContain("stderr:[paperclip] warning: w1\n");
  });

  it("retries once with a fresh session when the resumed one is unknown, and forgets it if none is made", async () => {
    const unknown: AdapterExecutionResult = {
      exitCode: 1,
      signal: null,
      timedOut: false,
      errorCode: "claude_unknown_session",
    };
    const { t, seen } = transport([
      async () => ({ result: unknown, ended: "ran" }),
      async () => ({ result: { exitCode: 1, signal: null, timedOut: false, errorCode: "x" }, ended: "ran" }),
    ]);
    const { ctx } = context({
      runtime: {
        sessionId: null,
        sessionParams: { sessionId: SID, cwd: "/w", claudeHome: "/h/.claude" },
        sessionDisplayId: null,
        taskKey: null,
      },
    });
    const result = await createExecute(t)(ctx);
    expect(seen.map((r) => r.resume.resume)).toEqual([true, false]);
    expect(result).toMatchObject({ errorCode: "x", clearSession: true, sessionId: null });
  });

  it("acknowledges a cancel the transport confirmed, in Paperclip's resultJson", async () => {
    const { t } = transport([async () => ({ result: ok, ended: "cancelled" })]);
    const controller = new AbortController();
    controller.abort(new Error("Cancelled by control plane"));
    const { ctx } = context({ signal: controller.signal });
    // aborted before start: nothing runs
    const before = await createExecute(t)(ctx);
    expect(before).toMatchObject({ errorCode: "cancelled", signal: "SIGTERM" });
    expect(before.resultJson?.executionCancellation).toMatchObject({ state: "acknowledged" });
    const { ctx: running } = context();
    const after = await createExecute(t)(running);
    expect(after.resultJson?.executionCancellation).toMatchObject({ state: "acknowledged" });
  });

  it("tells a lease loss from a cancel: detach, never a cancel", async () => {
    const controller = new AbortController();
    const { t, seen } = transport([
      async (r) => {
        controller.abort(new Error("Legacy controller lease lost"));
        expect(r.stop.detach.aborted).toBe(true);
        expect(r.stop.cancel.aborted).toBe(false);
        return { result: ok, ended: "detached" };
      },
    ]);
    const { ctx } = context({ signal: controller.signal });
    const result = await createExecute(t)(ctx);
    expect(seen).toHaveLength(1);
    expect(result.errorCode).toBe("adapter_run_detached");
    expect(result.resultJson?.executionCancellation).toBeUndefined();
  });

  it("maps thrown failures in one place: RunError by its code, anything else adapter_failed", async () => {
    const failing = (error: unknown): Transport<object, { scope: RunScope }> => ({
      adapterType: "t",
      parseConfig: () => ({ config: {}, warnings: [] }),
      prepare: async () => {
        throw error;
      },
      attempt: async () => ({ result: ok, ended: "ran" }),
    });
    const { ctx } = context();
    const typed = await createExecute(failing(new RunError({ code: "k8s_x", message: "m" })))(ctx);
    expect(typed).toMatchObject({ errorCode: "k8s_x", errorMessage: "m" });
    const plain = await createExecute(failing(new RangeError("boom")))(ctx);
    expect(plain).toMatchObject({ errorCode: "adapter_failed", errorMessage: "boom" });
  });
});
