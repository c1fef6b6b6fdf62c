import type { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteTestNamespace, runScenario, type ScenarioRun } from "../scenarios/index.js";
import { e2eKubeConfig } from "./helpers.js";

/** Each failure scenario, produced for real; they run concurrently, each in its own namespace. */
describe("failure scenarios on the real node", () => {
  let kc: KubeConfig;
  const namespaces: string[] = [];
  const run = async (name: string): Promise<ScenarioRun> => {
    const r = await runScenario(kc, name);
    namespaces.push(r.namespace);
    return r;
  };

  beforeAll(() => {
    kc = e2eKubeConfig();
  });
  afterAll(async () => {
    for (const ns of namespaces) await deleteTestNamespace(kc, ns);
  });

  it.concurrent("image pull failure: ErrImagePull / ImagePullBackOff, quickly, with no registry", async () => {
    const r = await run("image-pull-failure");
    expect(["ErrImagePull", "ImagePullBackOff"]).toContain(r.observation.reason);
    expect(r.observation.message).toMatch(/does-not-exist/);
  });

  it.concurrent("crash loop: CrashLoopBackOff with the last exit code", async () => {
    const r = await run("crash-loop");
    expect(r.observation).toMatchObject({ reason: "CrashLoopBackOff", exitCode: 3 });
    expect(r.state.pods[0]?.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(1);
  });

  it.concurrent("unschedulable by node selector", async () => {
    const r = await run("unschedulable-node-selector");
    expect(r.observation.reason).toBe("Unschedulable");
    expect(r.observation.message).toMatch(/didn't match Pod's node affinity\/selector/);
  });

  it.concurrent("unschedulable by resources", async () => {
    const r = await run("unschedulable-resources");
    expect(r.observation.reason).toBe("Unschedulable");
    expect(r.observation.message).toMatch(/Insufficient cpu/);
  });

  it.concurrent("OOMKilled under a memory limit: exit 137", async () => {
    const r = await run("oom-killed");
    expect(r.observation).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
  });

  it.concurrent("evicted by the kubelet for exceeding its emptyDir limit", async () => {
    const r = await run("evicted");
    expect(r.observation.reason).toBe("Evicted");
    expect(r.observation.message).toMatch(/EmptyDir volume "scratch" exceeds the limit/);
    expect(r.state.pods[0]?.status?.phase).toBe("Failed");
  });

  it.concurrent("slow start: the main container starts only after the slow init container", async () => {
    const r = await run("slow-start");
    expect(r.observation.reason).toBe("Completed");
    const pod = r.state.pods[0]!;
    const created = new Date(pod.metadata!.creationTimestamp!).getTime();
    const started = new Date(pod.status!.containerStatuses![0]!.state!.terminated!.startedAt!).getTime();
    expect(started - created).toBeGreaterThanOrEqual(14_000);
  });

  it.concurrent("hanging: keeps running without output or exit", async () => {
    const r = await run("hanging");
    expect(r.observation.reason).toBe("Running");
    expect(r.state.pods[0]?.status?.phase).toBe("Running");
  });

  it.concurrent("failing init container: exit 2, the main container never starts", async () => {
    const r = await run("init-container-failure");
    expect(r.observation).toMatchObject({ reason: "Init:Error", exitCode: 2 });
    const main = r.state.pods[0]?.status?.containerStatuses?.[0];
    expect(main?.state?.running).toBeUndefined();
    expect(main?.state?.terminated).toBeUndefined();
  });

  it.concurrent("FailedMount for a missing Secret", async () => {
    const r = await run("failed-mount-secret");
    expect(r.observation.reason).toBe("FailedMount");
    expect(r.observation.message).toMatch(/secret "paperclip-missing-secret" not found/);
  });

  it.concurrent("missing PVC: unschedulable, claim not found", async () => {
    const r = await run("missing-pvc");
    expect(r.observation.reason).toBe("Unschedulable");
    expect(r.observation.message).toMatch(/persistentvolumeclaim "paperclip-missing-pvc" not found/);
  });

  it.concurrent("Job deadline exceeded", async () => {
    const r = await run("deadline-exceeded");
    expect(r.observation.reason).toBe("DeadlineExceeded");
    expect(r.state.job?.spec?.activeDeadlineSeconds).toBe(5);
  });
});
