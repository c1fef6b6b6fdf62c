import type { V1Job } from "@kubernetes/client-node";
import type { FeedSink, JobFeed } from "./job-feed.js";
import type { WatchHub } from "./watch-hub.js";

/**
 * Feed one tracker from the hub's shared watches: the Job by its uid, its pods by their controller's uid, the
 * Warning Events of the Job and of each of its pods by involvedObject uid (subscribed as each pod appears; Events
 * that came before are in the shared cache and delivered on subscribe). Stop unsubscribes everything. The caller
 * stops the feed if a replay on subscribe already ended its run.
 */
export function sharedFeed(hub: WatchHub, namespace: string, job: V1Job, sink: FeedSink): JobFeed {
  const uid = job.metadata?.uid ?? "";
  const unsubscribe: Array<() => void> = [];
  const warned = new Set<string>();
  let stopped = false;
  const events = hub.events(namespace);
  const warnings = (key: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    unsubscribe.push(
      events.subscribe(key, (type, event) => {
        if (!stopped && type !== "DELETED") sink.warning(event);
      }),
    );
  };
  // The Job first, then its pods, then the Warning Events (a warning only counts for a pod already known).
  unsubscribe.push(
    hub.jobs(namespace).subscribe(uid, (type, object) => {
      if (!stopped) sink.job(type, object);
    }),
  );
  unsubscribe.push(
    hub.pods(namespace).subscribe(uid, (type, pod) => {
      if (stopped) return;
      sink.pod(type, pod);
      const podUid = pod.metadata?.uid;
      if (!stopped && podUid && type !== "DELETED") warnings(podUid);
    }),
  );
  warnings(uid);
  return {
    stop: () => {
      stopped = true;
      for (const u of unsubscribe.splice(0)) u();
    },
  };
}
