import { CoordinationV1Api, type V1Job, type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import { jobOwnerReference } from "./cleanup.js";
import type { KubeClients } from "./clients.js";
import { apiError, isConflict, isNotFound } from "./errors.js";

/**
 * A `coordination.k8s.io` Lease per Job name: the runner that follows a Job holds it and renews it, so another
 * Paperclip process (a second replica, or this one after a restart) can tell a live runner from a gone one. A
 * runner is alive while `renewTime + leaseDurationSeconds` lies ahead; a Lease that is released (no holder) or
 * expired may be taken over. Taking over replaces the object guarded by its resourceVersion, so of two runners
 * racing for the same expired Lease exactly one wins.
 */
export interface JobLeaseOptions {
  /** The Lease's name: the Job's (deterministic) name, i.e. the concurrency slot. */
  readonly name: string;
  /** Who holds it (unique per runner: host, process and run). */
  readonly holder: string;
  /** How long a Lease stays valid after its last renewal (default 20 s). */
  readonly durationSec?: number;
  /** How often the holder renews it (default 5 s). */
  readonly renewEverySec?: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** What the Lease said about the runner that held it before. */
export interface LeaseHolderState {
  readonly holder: string;
  readonly renewedAt: string | undefined;
  /** True when it had expired (or was released) and was taken over. */
  readonly gone: boolean;
}

export type LeaseAcquisition =
  | {
      readonly outcome: "acquired";
      readonly lease: HeldLease;
      readonly previous: LeaseHolderState | undefined;
    }
  /** A live runner holds it: it renewed within the Lease duration. */
  | { readonly outcome: "held"; readonly current: LeaseHolderState };

export const LEASE_DURATION_SEC = 20;
export const LEASE_RENEW_EVERY_SEC = 5;
const MAX_TRIES = 4;

const apis = new WeakMap<KubeClients, CoordinationV1Api>();
function coordination(clients: KubeClients): CoordinationV1Api {
  let api = apis.get(clients);
  if (!api) {
    api = clients.kubeConfig.makeApiClient(CoordinationV1Api);
    apis.set(clients, api);
  }
  return api;
}

function millis(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isFinite(ms) ? ms : undefined;
}

function stateOf(lease: V1Lease, now: number, fallbackDurationSec: number): LeaseHolderState {
  const holder = lease.spec?.holderIdentity ?? "";
  const renewed = millis(lease.spec?.renewTime) ?? millis(lease.spec?.acquireTime);
  const duration = (lease.spec?.leaseDurationSeconds ?? fallbackDurationSec) * 1000;
  const gone = holder === "" || renewed === undefined || renewed + duration <= now;
  return {
    holder,
    renewedAt: renewed === undefined ? undefined : new Date(renewed).toISOString(),
    gone,
  };
}

/** Acquires the Lease for a Job name: creates it, re-enters our own, takes over a released or expired one. */
export async function acquireJobLease(
  clients: KubeClients,
  namespace: string,
  options: JobLeaseOptions,
): Promise<LeaseAcquisition> {
  const api = coordination(clients);
  const now = options.now ?? Date.now;
  const durationSec = options.durationSec ?? LEASE_DURATION_SEC;
  const spec = () => ({
    holderIdentity: options.holder,
    leaseDurationSeconds: durationSec,
    acquireTime: new V1MicroTime(now()),
    renewTime: new V1MicroTime(now()),
  });
  for (let attempt = 0; attempt < MAX_TRIES; attempt += 1) {
    try {
      const created = await api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name: options.name, namespace, labels: { ...options.labels } },
          spec: { ...spec(), leaseTransitions: 0 },
        },
      });
      return {
        outcome: "acquired",
        lease: new HeldLease(api, namespace, created, options),
        previous: undefined,
      };
    } catch (error) {
      if (!isConflict(error)) throw apiError(`create Lease ${options.name}`, error);
    }
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name: options.name, namespace });
    } catch (error) {
      if (isNotFound(error)) continue; // released between our create and read: create again
      throw apiError(`read Lease ${options.name}`, error);
    }
    const state = stateOf(current, now(), durationSec);
    if (state.holder !== options.holder && !state.gone) return { outcome: "held", current: state };
    try {
      const replaced = await api.replaceNamespacedLease({
        name: options.name,
        namespace,
        body: {
          ...current,
          // A taken-over Lease no longer belongs to the earlier Job: deleting that Job must not remove it.
          metadata: {
            ...withoutOwners(current.metadata),
            labels: { ...current.metadata?.labels, ...options.labels },
          },
          spec: {
            ...current.spec,
            ...spec(),
            leaseTransitions:
              (current.spec?.leaseTransitions ?? 0) + (state.holder === options.holder ? 0 : 1),
          },
        },
      });
      const previous = state.holder === options.holder ? undefined : state;
      return { outcome: "acquired", lease: new HeldLease(api, namespace, replaced, options), previous };
    } catch (error) {
      // Another runner took it (or renewed it) after our read: decide again from what is there now.
      if (!isConflict(error) && !isNotFound(error)) throw apiError(`take over Lease ${options.name}`, error);
    }
  }
  throw apiError(`acquire Lease ${options.name}`, new Error(`still contended after ${MAX_TRIES} tries`));
}

/**
 * The Lease of a Job name as another process sees it, or undefined when there is none (released by its runner, or
 * never taken). `gone` is true when its runner stopped renewing it (expired or released).
 */
export async function readJobLease(
  clients: KubeClients,
  namespace: string,
  name: string,
  now: number = Date.now(),
): Promise<LeaseHolderState | undefined> {
  try {
    return stateOf(
      await coordination(clients).readNamespacedLease({ name, namespace }),
      now,
      LEASE_DURATION_SEC,
    );
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw apiError(`read Lease ${name}`, error);
  }
}

/** A Lease this runner holds: renewed in the background until released or stopped. */
export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  private owner: V1Job | undefined;
  private lost = false;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: CoordinationV1Api,
    private readonly namespace: string,
    private lease: V1Lease,
    private readonly options: JobLeaseOptions,
  ) {}

  get name(): string {
    return this.options.name;
  }

  get holder(): string {
    return this.options.holder;
  }

  /** Renews every `renewEverySec`; `onLost` is called once if the Lease is gone or another runner took it. */
  startRenewing(onLost: (reason: string) => void): void {
    const every = (this.options.renewEverySec ?? LEASE_RENEW_EVERY_SEC) * 1000;
    this.stopRenewing();
    this.timer = setInterval(() => {
      this.renewing = this.renew().then(
        (reason) => {
          if (reason && !this.lost) {
            this.lost = true;
            this.stopRenewing();
            onLost(reason);
          }
        },
        () => undefined, // transient: the next tick tries again; the Lease expires if they all fail
      );
    }, every);
    this.timer.unref?.();
  }

  /** The Job this Lease guards becomes its owner: the garbage collector removes the Lease with the Job. */
  async ownBy(job: V1Job): Promise<void> {
    this.owner = job;
    await this.renew();
  }

  /** One renewal now; resolves to why the Lease is lost, or undefined while we hold it. */
  async renew(): Promise<string | undefined> {
    const now = (this.options.now ?? Date.now)();
    const ownerReferences = this.owner
      ? [jobOwnerReference(this.owner)]
      : this.lease.metadata?.ownerReferences;
    try {
      this.lease = await this.api.replaceNamespacedLease({
        name: this.options.name,
        namespace: this.namespace,
        body: {
          ...this.lease,
          metadata: {
            ...withoutOwners(this.lease.metadata),
            ...(ownerReferences ? { ownerReferences } : {}),
          },
          spec: { ...this.lease.spec, renewTime: new V1MicroTime(now) },
        },
      });
      return undefined;
    } catch (error) {
      if (isNotFound(error)) return `Lease ${this.options.name} was deleted`;
      if (!isConflict(error)) throw apiError(`renew Lease ${this.options.name}`, error);
    }
    // Our copy was stale: still ours? Then renew on the current version.
    try {
      const current = await this.api.readNamespacedLease({
        name: this.options.name,
        namespace: this.namespace,
      });
      if (current.spec?.holderIdentity !== this.options.holder)
        return `Lease ${this.options.name} is now held by ${current.spec?.holderIdentity || "nobody"}`;
      this.lease = current;
      return this.renew();
    } catch (error) {
      if (isNotFound(error)) return `Lease ${this.options.name} was deleted`;
      throw apiError(`renew Lease ${this.options.name}`, error);
    }
  }

  stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops renewing and deletes the Lease if it is still ours (guarded by its uid), so the slot is free at once. */
  async release(): Promise<void> {
    this.stopRenewing();
    await this.renewing;
    if (this.lost) return;
    try {
      const current = await this.api.readNamespacedLease({
        name: this.options.name,
        namespace: this.namespace,
      });
      if (current.spec?.holderIdentity !== this.options.holder) return;
      await this.api.deleteNamespacedLease({
        name: this.options.name,
        namespace: this.namespace,
        body: {
          preconditions: {
            ...(current.metadata?.uid ? { uid: current.metadata.uid } : {}),
            ...(current.metadata?.resourceVersion
              ? { resourceVersion: current.metadata.resourceVersion }
              : {}),
          },
        },
      });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error))
        throw apiError(`release Lease ${this.options.name}`, error);
    }
  }
}

function withoutOwners(metadata: V1Lease["metadata"]): V1Lease["metadata"] {
  const { ownerReferences: _owners, managedFields: _fields, ...rest } = metadata ?? {};
  return rest;
}
