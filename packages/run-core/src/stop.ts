/**
 * Paperclip aborts `ctx.signal` for two different reasons, and they must not be confused:
 * - an operator (or the control plane) cancels the run: the adapter stops the work, removes what it started, and
 *   acknowledges the stop;
 * - Paperclip lets go of the run without cancelling it — its controller lease was lost, which is what a graceful
 *   shutdown or a rolling update looks like (`Error("Legacy controller lease lost")` in @paperclipai/server's
 *   `services/legacy-controller-lease.js`): the adapter stops following and leaves the work alone, so the next
 *   run can adopt or harvest it.
 */
export type StopKind = "cancel" | "detach";

const DETACH_REASONS = [/lease lost/i];

export function stopKindOf(reason: unknown): StopKind {
  const message = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "";
  return DETACH_REASONS.some((re) => re.test(message)) ? "detach" : "cancel";
}

export interface StopSignals {
  /** Aborted when the run is cancelled: stop the work and remove it. */
  cancel: AbortSignal;
  /** Aborted when Paperclip lets go without cancelling: stop following, leave the work in place. */
  detach: AbortSignal;
  /** Both: stop following now. */
  any: AbortSignal;
  /** The reason Paperclip gave, for the status line. */
  reason(): string;
  dispose(): void;
}

/** Splits Paperclip's one abort signal into cancel and detach. */
export function splitStopSignal(signal: AbortSignal | undefined): StopSignals {
  const cancel = new AbortController();
  const detach = new AbortController();
  const any = new AbortController();
  let reason = "";
  const onAbort = () => {
    const raw = signal?.reason;
    reason = raw instanceof Error ? raw.message : String(raw ?? "aborted");
    (stopKindOf(raw) === "detach" ? detach : cancel).abort(raw);
    any.abort(raw);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    cancel: cancel.signal,
    detach: detach.signal,
    any: any.signal,
    reason: () => reason,
    dispose: () => signal?.removeEventListener("abort", onAbort),
  };
}
