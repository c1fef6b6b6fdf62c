import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import {
  containerTermination,
  diagnoseEvent,
  diagnosePod,
  isMissingReference,
  type PodDiagnosis,
} from "./diagnosis.js";
import type { JobEvent, JobOutcome, StartStage } from "./job-events.js";
import {
  condition,
  isTrue,
  type JobStateOptions,
  MISSING_REFERENCE_GRACE_MS,
  type PodTrack,
} from "./job-state-parts.js";
import { dedupe, isTerminal, optional, podVerdict } from "./pod-verdict.js";

export { type JobStateOptions, MISSING_REFERENCE_GRACE_MS } from "./job-state-parts.js";
export { podVerdict } from "./pod-verdict.js";

/**
 * Pure reducer from watch observations (Job, pods, Warning Events, clock) to typed {@link JobEvent}s. Every
 * method returns the events that observation produced; each fact is reported once. Owns no I/O, so it is unit
 * tested directly; {@link JobTracker} feeds it from watches.
 */
export class JobState {
  readonly #options: JobStateOptions;
  readonly #pods = new Map<string, PodTrack>();
  readonly #seenWarnings = new Map<string, number>();
  readonly #jobWarnings: PodDiagnosis[] = [];
  readonly #finishing = new Set<string>();
  readonly #timedOut = new Set<string>();
  #refused = false;
  #job: V1Job | undefined;
  #uid: string | undefined;
  #trackedSince: number;
  #outcome: JobOutcome | undefined;

  constructor(options: JobStateOptions = {}, now: number = Date.now()) {
    this.#options = options;
    this.#trackedSince = now;
  }

  get job(): V1Job | undefined {
    return this.#job;
  }

  get uid(): string | undefined {
    return this.#uid;
  }

  get outcome(): JobOutcome | undefined {
    return this.#outcome;
  }

  get pods(): V1Pod[] {
    return [...this.#pods.values()].map((t) => t.pod);
  }

  /** Known pod and Job-level warnings (for diagnosis). */
  get diagnosis(): PodDiagnosis[] {
    const out: PodDiagnosis[] = [];
    for (const t of this.#pods.values()) out.push(...diagnosePod(t.pod), ...t.warnings);
    out.push(...this.#jobWarnings);
    return dedupe(out);
  }

  onJob(type: "ADDED" | "MODIFIED" | "DELETED", job: V1Job, now = Date.now()): JobEvent[] {
    if (this.#outcome) return [];
    const uid = job.metadata?.uid;
    if (this.#uid === undefined) this.#uid = uid;
    else if (uid !== this.#uid)
      return this.#end({
        kind: "deleted",
        message: `Job was replaced by another Job with the same name (uid ${uid})`,
      });
    if (type === "DELETED")
      return this.#end({ kind: "deleted", message: "Job was deleted before it finished" });
    this.#job = job;
    const events: JobEvent[] = [];
    for (const type of ["SuccessCriteriaMet", "FailureTarget"] as const) {
      const c = condition(job, type);
      if (c && !this.#finishing.has(type)) {
        this.#finishing.add(type);
        events.push({
          type: "job-finishing",
          condition: type,
          reason: c.reason ?? type,
          message: c.message ?? "",
        });
      }
    }
    const complete = condition(job, "Complete");
    const failed = condition(job, "Failed");
    if (isTrue(complete))
      return [...events, ...this.#end({ kind: "complete", source: "job", ...this.#exitCode() })];
    if (failed) {
      const outcome: JobOutcome = {
        kind: "failed",
        reason: failed.reason ?? "Failed",
        message: failed.message ?? "",
        source: "job",
        diagnosis: this.diagnosis,
        ...this.#exitCode(),
      };
      return [...events, ...this.#end(outcome)];
    }
    if (job.metadata?.deletionTimestamp) {
      return [
        ...events,
        ...this.#end({ kind: "deleted", message: "Job is being deleted before it finished" }),
      ];
    }
    return [...events, ...this.#inferFromPods(), ...this.checkTimeouts(now)];
  }

  /** The Job is gone (404 on a read). */
  onJobMissing(): JobEvent[] {
    if (this.#outcome) return [];
    return this.#end({ kind: "deleted", message: "Job no longer exists (404)" });
  }

  onPod(type: "ADDED" | "MODIFIED" | "DELETED", pod: V1Pod, now = Date.now()): JobEvent[] {
    if (this.#outcome) return [];
    const uid = pod.metadata?.uid;
    if (!uid) return [];
    const owners = pod.metadata?.ownerReferences;
    if (this.#uid && owners && !owners.some((o) => o.uid === this.#uid)) return [];
    let track = this.#pods.get(uid);
    const events: JobEvent[] = [];
    if (!track) {
      if (type === "DELETED") return [];
      track = this.#trackPod(pod, uid, now);
      events.push({ type: "pod-created", pod: track.ref });
    }
    track.pod = pod;
    events.push(...this.#podProgress(track, now));
    return [...events, ...this.#inferFromPods(), ...this.checkTimeouts(now)];
  }

  /** After a relist: the full current set of pods. */
  onPodsSynced(pods: readonly V1Pod[], now = Date.now()): JobEvent[] {
    const events: JobEvent[] = [];
    for (const pod of pods) events.push(...this.onPod("MODIFIED", pod, now));
    return events;
  }

  onWarning(event: CoreV1Event, now = Date.now()): JobEvent[] {
    if (this.#outcome || event.type !== "Warning") return [];
    const target = event.involvedObject;
    const track = target.uid ? this.#pods.get(target.uid) : undefined;
    const isJob = target.uid !== undefined && target.uid === this.#uid;
    if (!track && !isJob) return [];
    const key = event.metadata?.uid ?? `${event.reason}/${event.message}`;
    const count = event.series?.count ?? event.count ?? 1;
    if ((this.#seenWarnings.get(key) ?? 0) >= count) return [];
    this.#seenWarnings.set(key, count);
    const diagnosis = diagnoseEvent(event);
    const list = track ? track.warnings : this.#jobWarnings;
    if (!list.some((d) => d.reason === diagnosis.reason && d.message === diagnosis.message))
      list.push(diagnosis);
    const warning: JobEvent = {
      type: "warning",
      involvedObject: { kind: target.kind ?? "", name: target.name ?? "" },
      reason: diagnosis.reason,
      message: diagnosis.message,
      count,
      diagnosis,
    };
    if (isJob && diagnosis.code === "create_forbidden" && !this.#refused) {
      this.#refused = true;
      return [warning, { type: "start-refused", stage: "scheduling", diagnosis: [diagnosis] }];
    }
    return [warning, ...this.checkTimeouts(now)];
  }

  /** When the next start timeout could fire (ms epoch), or undefined. */
  nextDeadline(): number | undefined {
    if (this.#outcome) return undefined;
    const deadlines: number[] = [];
    const { schedulingTimeoutMs: sched = 0, containerStartTimeoutMs: start = 0 } = this.#options;
    if (sched > 0 && !this.#timedOut.has("scheduling")) {
      if (this.#pods.size === 0) deadlines.push(this.#trackedSince + sched);
      for (const t of this.#pods.values())
        if (t.scheduledAt === undefined) deadlines.push(t.firstSeenAt + sched);
    }
    if (start > 0 && !this.#timedOut.has("container-start")) {
      for (const t of this.#pods.values()) {
        if (t.scheduledAt !== undefined && !this.#mainStarted(t)) deadlines.push(t.scheduledAt + start);
      }
    }
    if (!this.#refused) {
      const grace = this.#options.missingReferenceGraceMs ?? MISSING_REFERENCE_GRACE_MS;
      for (const t of this.#pods.values())
        if (t.missingReferenceSince !== undefined) deadlines.push(t.missingReferenceSince + grace);
    }
    return deadlines.length ? Math.min(...deadlines) : undefined;
  }

  checkTimeouts(now = Date.now()): JobEvent[] {
    if (this.#outcome) return [];
    const { schedulingTimeoutMs: sched = 0, containerStartTimeoutMs: start = 0 } = this.#options;
    const events: JobEvent[] = [];
    if (sched > 0 && !this.#timedOut.has("scheduling")) {
      if (this.#pods.size === 0 && now - this.#trackedSince >= sched) {
        events.push(this.#timeout("scheduling", now - this.#trackedSince, undefined));
      }
      for (const t of this.#pods.values()) {
        if (t.scheduledAt === undefined && !isTerminal(t.pod) && now - t.firstSeenAt >= sched) {
          events.push(this.#timeout("scheduling", now - t.firstSeenAt, t));
          break;
        }
      }
    }
    if (start > 0 && !this.#timedOut.has("container-start")) {
      for (const t of this.#pods.values()) {
        if (t.scheduledAt !== undefined && !this.#mainStarted(t) && now - t.scheduledAt >= start) {
          events.push(this.#timeout("container-start", now - t.scheduledAt, t));
          break;
        }
      }
    }
    return [...events, ...this.#refuseMissingReference(now)];
  }

  /** A container still waiting on a missing Secret/ConfigMap after the grace: the start is refused. */
  #refuseMissingReference(now: number): JobEvent[] {
    if (this.#refused) return [];
    const grace = this.#options.missingReferenceGraceMs ?? MISSING_REFERENCE_GRACE_MS;
    for (const t of this.#pods.values()) {
      if (t.missingReferenceSince === undefined || now - t.missingReferenceSince < grace) continue;
      this.#refused = true;
      const diagnosis = dedupe([...diagnosePod(t.pod), ...t.warnings]);
      return [{ type: "start-refused", stage: "container-start", pod: t.ref, diagnosis }];
    }
    return [];
  }

  #timeout(stage: StartStage, elapsedMs: number, track: PodTrack | undefined): JobEvent {
    this.#timedOut.add(stage);
    const diagnosis = track ? dedupe([...diagnosePod(track.pod), ...track.warnings]) : [...this.#jobWarnings];
    return { type: "start-timeout", stage, elapsedMs, ...(track ? { pod: track.ref } : {}), diagnosis };
  }

  #mainStarted(track: PodTrack): boolean {
    const name = this.#options.containerName;
    if (isTerminal(track.pod)) return true;
    if (name) return track.started.has(name) || track.terminated.has(name);
    const all = track.pod.spec?.containers.map((c) => c.name) ?? [];
    return all.length > 0 && all.every((c) => track.started.has(c) || track.terminated.has(c));
  }

  /** Starts tracking a pod seen for the first time (from a watch event or a list). */
  #trackPod(pod: V1Pod, uid: string, now: number): PodTrack {
    const track: PodTrack = {
      ref: { name: pod.metadata?.name ?? "", uid },
      pod,
      firstSeenAt: now,
      scheduledAt: undefined,
      started: new Set(),
      terminated: new Set(),
      problems: new Set(),
      warnings: [],
      missingReferenceSince: undefined,
    };
    this.#pods.set(uid, track);
    return track;
  }

  #podProgress(track: PodTrack, now: number): JobEvent[] {
    const events: JobEvent[] = [];
    const { pod, ref } = track;
    const scheduled = pod.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "True");
    if (track.scheduledAt === undefined && (scheduled || pod.spec?.nodeName)) {
      track.scheduledAt = now;
      events.push({ type: "pod-scheduled", pod: ref, nodeName: pod.spec?.nodeName ?? "" });
    }
    for (const status of pod.status?.containerStatuses ?? []) {
      const running = status.state?.running;
      const termination = containerTermination(status);
      if ((running || termination) && !track.started.has(status.name)) {
        track.started.add(status.name);
        const startedAt = running?.startedAt ?? status.state?.terminated?.startedAt;
        events.push({
          type: "container-started",
          pod: ref,
          container: status.name,
          ...(startedAt ? { startedAt: new Date(startedAt).toISOString() } : {}),
        });
      }
      if (termination && !track.terminated.has(status.name)) {
        track.terminated.add(status.name);
        events.push({
          type: "container-terminated",
          pod: ref,
          container: termination.container,
          exitCode: termination.exitCode,
          ...optional("reason", termination.reason),
          ...optional("message", termination.message),
          ...optional("signal", termination.signal),
          ...optional("finishedAt", termination.finishedAt),
        });
      }
    }
    const missing = !isTerminal(pod) && diagnosePod(pod).some(isMissingReference);
    if (!missing) track.missingReferenceSince = undefined;
    else track.missingReferenceSince ??= now;
    for (const diagnosis of diagnosePod(pod)) {
      // A plain non-zero exit is already reported by container-terminated; OOMKilled etc. are problems too.
      if (diagnosis.code === "container_failed") continue;
      const key = `${diagnosis.code}/${diagnosis.reason}/${diagnosis.container ?? ""}`;
      if (track.problems.has(key)) continue;
      track.problems.add(key);
      events.push({ type: "pod-problem", pod: ref, diagnosis });
    }
    return events;
  }

  #isSingleShot(): boolean {
    const spec = this.#job?.spec;
    if (!spec) return false;
    return (
      spec.backoffLimit === 0 &&
      (spec.completions ?? 1) === 1 &&
      (spec.parallelism ?? 1) === 1 &&
      spec.podFailurePolicy === undefined &&
      spec.successPolicy === undefined &&
      spec.backoffLimitPerIndex === undefined
    );
  }

  #inferFromPods(): JobEvent[] {
    if (this.#options.inferEndFromPod === false || !this.#isSingleShot()) return [];
    for (const track of this.#pods.values()) {
      const phase = podVerdict(track.pod, this.#job?.spec?.template?.spec?.restartPolicy);
      if (!phase) continue;
      const exit = this.#exitCode(track);
      if (phase === "Succeeded") return this.#end({ kind: "complete", source: "pod", ...exit });
      const target = condition(this.#job as V1Job, "FailureTarget");
      return this.#end({
        kind: "failed",
        reason: target?.reason ?? "BackoffLimitExceeded",
        message:
          target?.message ?? track.pod.status?.message ?? "Job has reached the specified backoff limit",
        source: "pod",
        diagnosis: this.diagnosis,
        ...exit,
      });
    }
    return [];
  }

  #exitCode(only?: PodTrack): { exitCode?: number } {
    const tracks = only ? [only] : [...this.#pods.values()];
    const name = this.#options.containerName;
    for (const t of tracks.reverse()) {
      const statuses = t.pod.status?.containerStatuses ?? [];
      const status = name ? statuses.find((s) => s.name === name) : statuses[0];
      const code = status?.state?.terminated?.exitCode;
      if (code !== undefined) return { exitCode: code };
    }
    return {};
  }

  #end(outcome: JobOutcome): JobEvent[] {
    if (this.#outcome) return [];
    this.#outcome = outcome;
    return [{ type: "job-ended", outcome }];
  }

  /**
   * The Job ended (by its condition) but the final pod status was not observed — e.g. the pod watch was
   * reconnecting. True when a fresh pod list should be folded in with {@link settleWithPods} before reporting.
   */
  needsPodSettle(): boolean {
    const o = this.#outcome;
    return o !== undefined && o.kind !== "deleted" && o.source === "job" && o.exitCode === undefined;
  }

  /**
   * Fold a fresh pod list into an ended Job: reports terminations that were missed and returns the `job-ended`
   * event with the exit code (and diagnosis) completed. Used once, right after the end.
   */
  settleWithPods(pods: readonly V1Pod[], now = Date.now()): JobEvent[] {
    const outcome = this.#outcome;
    if (!outcome) return [];
    const events: JobEvent[] = [];
    for (const pod of pods) {
      const uid = pod.metadata?.uid;
      const owners = pod.metadata?.ownerReferences;
      if (!uid || (this.#uid && owners && !owners.some((o) => o.uid === this.#uid))) continue;
      let track = this.#pods.get(uid);
      if (!track) {
        track = this.#trackPod(pod, uid, now);
      }
      track.pod = pod;
      events.push(
        ...this.#podProgress(track, now).filter(
          (e) => e.type === "container-started" || e.type === "container-terminated",
        ),
      );
    }
    if (outcome.kind !== "deleted") {
      const settled: JobOutcome =
        outcome.kind === "failed"
          ? { ...outcome, diagnosis: this.diagnosis, ...this.#exitCode() }
          : { ...outcome, ...this.#exitCode() };
      this.#outcome = settled;
      events.push({ type: "job-ended", outcome: settled });
    } else {
      events.push({ type: "job-ended", outcome });
    }
    return events;
  }
}
