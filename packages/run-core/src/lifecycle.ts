import type { AdapterExecutionContext, AdapterExecutionResult } from "./contract.js";
import { type FailureTranslator, failureResult, RunErrorCodes, toFailure } from "./errors.js";
import { decideResume, freshSession, type ResumeDecision, type RunScope } from "./resume.js";
import { RunLog } from "./run-log.js";
import { type StopSignals, splitStopSignal } from "./stop.js";

/** What one attempt of the CLI gets from the core. */
export interface AttemptRequest<Config, Target> {
  ctx: AdapterExecutionContext;
  config: Config;
  target: Target;
  resume: ResumeDecision;
  log: RunLog;
  stop: StopSignals;
}

/** How an attempt ended, from the adapter's side, and the result it produced. */
export interface AttemptOutcome {
  result: AdapterExecutionResult;
  /**
   * `ran`: the CLI ran to its end (successfully or not). `cancelled`: the run was cancelled and the transport has
   * seen everything it started gone. `detached`: Paperclip let go of the run and the work was left in place.
   */
  ended: "ran" | "cancelled" | "detached";
}

/**
 * A transport runs the Claude CLI somewhere (a local process group, a Kubernetes Job). Everything else about a
 * Paperclip run — config, resume decision, retry, cancellation, status lines, result and error mapping — is the
 * core's, written once in {@link createExecute}.
 */
export interface Transport<Config, Target extends { scope: RunScope }> {
  adapterType: string;
  /** Parses the raw adapterConfig once; throws the config-invalid RunError naming every bad field. */
  parseConfig(raw: unknown): { config: Config; warnings: string[] };
  /** Resolves where the CLI runs (cwd, Claude home, the cluster or the host); creates nothing. */
  prepare(ctx: AdapterExecutionContext, config: Config, log: RunLog): Promise<Target>;
  /** Runs the CLI once and follows it to its end, a cancel or a detach. */
  attempt(request: AttemptRequest<Config, Target>): Promise<AttemptOutcome>;
  /** Names lower-layer errors by their code (never by class). */
  translateError?: FailureTranslator;
}

/**
 * One Paperclip run: parse the config → opt in to cancellation → prepare the target → decide whether to resume →
 * run an attempt → if the resumed session is unknown to the CLI, one more attempt with a fresh session → report.
 */
export function createExecute<Config, Target extends { scope: RunScope }>(
  transport: Transport<Config, Target>,
): (ctx: AdapterExecutionContext) => Promise<AdapterExecutionResult> {
  return async function execute(ctx) {
    const log = new RunLog(ctx.onLog);
    const stop = splitStopSignal(ctx.signal);
    try {
      const { config, warnings } = transport.parseConfig(ctx.config);
      for (const warning of warnings) await log.warn(`warning: ${warning}`);
      await ctx.onCancellationReady?.();
      if (stop.any.aborted) return stoppedBeforeStart(stop);
      const target = await transport.prepare(ctx, config, log);
      const resume = decideResume(ctx.runtime, target.scope);
      if (!resume.resume && resume.reason) await log.status(resume.reason);
      const request: AttemptRequest<Config, Target> = { ctx, config, target, resume, log, stop };
      const first = await transport.attempt(request);
      if (!needsFreshSession(first, resume)) return await settle(first, log, stop);
      if (!stop.any.aborted) {
        await log.status(
          `session ${resume.sessionId} is unknown to the CLI; retrying once with a fresh session`,
        );
      }
      if (stop.any.aborted) {
        // Stopped between the unknown-session failure and the retry: nothing runs, and the stored session is gone.
        const ended = stop.cancel.aborted ? "cancelled" : "detached";
        return await settle(forgetSessionUnlessReplaced({ ...first, ended }), log, stop);
      }
      const retry = await transport.attempt({
        ...request,
        resume: freshSession("the stored session is gone"),
      });
      return await settle(forgetSessionUnlessReplaced(retry), log, stop);
    } catch (error) {
      const failure = toFailure(error, transport.translateError);
      await log.warn(`run failed (${failure.code}): ${failure.message}`);
      return failureResult(failure);
    } finally {
      stop.dispose();
      await log.flush();
    }
  };
}

function needsFreshSession(
  outcome: AttemptOutcome,
  resume: ResumeDecision,
): resume is ResumeDecision & { resume: true } {
  return resume.resume && outcome.ended === "ran" && outcome.result.errorCode === "claude_unknown_session";
}

/** The stored session is gone; if the retry made none, Paperclip must forget it. */
function forgetSessionUnlessReplaced(outcome: AttemptOutcome): AttemptOutcome {
  const r = outcome.result;
  if (r.sessionId || r.clearSession) return outcome;
  return {
    ...outcome,
    result: { ...r, clearSession: true, sessionId: null, sessionParams: null, sessionDisplayId: null },
  };
}

/** Cancelled and detached runs are reported the same way by every transport. */
async function settle(
  outcome: AttemptOutcome,
  log: RunLog,
  stop: StopSignals,
): Promise<AdapterExecutionResult> {
  if (outcome.ended === "cancelled") {
    await log.status(`cancelled (${stop.reason()}): everything the run started is gone`);
    return cancelledResult(outcome.result);
  }
  if (outcome.ended === "detached") {
    await log.warn(
      `Paperclip released the run without cancelling it (${stop.reason()}); its work was left running`,
    );
    return detachedResult(outcome.result, stop.reason());
  }
  return outcome.result;
}

/**
 * A cancelled run, with the acknowledgement Paperclip requires from adapters that registered execution control
 * (`resultJson.executionCancellation.state = "acknowledged"`; without it the cancel API answers 409). Transports
 * report `cancelled` only after they have seen what they started gone.
 */
export function cancelledResult(
  from: AdapterExecutionResult | undefined,
  message = "Run cancelled",
): AdapterExecutionResult {
  return {
    ...(from ?? {}),
    exitCode: null,
    signal: "SIGTERM",
    timedOut: false,
    errorCode: RunErrorCodes.cancelled,
    errorMessage: message,
    errorFamily: null,
    retryNotBefore: null,
    resultJson: {
      ...(from?.resultJson ?? {}),
      executionCancellation: { state: "acknowledged", acknowledgedAt: new Date().toISOString() },
    },
  };
}

function detachedResult(from: AdapterExecutionResult, reason: string): AdapterExecutionResult {
  return {
    ...from,
    exitCode: null,
    signal: null,
    timedOut: false,
    errorCode: RunErrorCodes.detached,
    errorMessage: `Paperclip released the run (${reason}); its work was left running for the next run to adopt`,
  };
}

function stoppedBeforeStart(stop: StopSignals): AdapterExecutionResult {
  if (stop.cancel.aborted) return cancelledResult(undefined, "Run cancelled before it started");
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    errorCode: RunErrorCodes.detached,
    errorMessage: `Paperclip released the run before it started (${stop.reason()})`,
  };
}
