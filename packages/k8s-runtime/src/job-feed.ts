import type { CoreV1Event, V1Job, V1Pod } from "@kubernetes/client-node";
import type { WatchEventType } from "./resilient-watch.js";

/** Where a tracker's observations go (its reducer). */
export interface FeedSink {
  job(type: WatchEventType, job: V1Job): void;
  /** The Job is gone (404 on a read, or absent from a relist). */
  jobMissing(): void;
  pod(type: WatchEventType, pod: V1Pod): void;
  /** After a relist: the full current set of the Job's pods. */
  podsSynced(pods: readonly V1Pod[]): void;
  warning(event: CoreV1Event): void;
}

/** The watches (per run, or subscriptions to the shared ones) feeding one tracker. */
export interface JobFeed {
  stop(): void;
}
