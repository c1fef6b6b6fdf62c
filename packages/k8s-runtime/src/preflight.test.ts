import type { V1PodSpec } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { K8sRuntimeError } from "./errors.js";
import { type PreflightReads, preflightPodSpec } from "./preflight.js";

const notFound = () => Object.assign(new Error("not found"), { statusCode: 404 });
const forbidden = () => Object.assign(new Error("cannot get"), { statusCode: 403 });

function reads(over: Partial<PreflightReads> = {}): PreflightReads & { calls: string[] } {
  const calls: string[] = [];
  const secrets: Record<string, Record<string, string>> = { keys: { token: "dG9r" } };
  return {
    calls,
    secret: async (name) => {
      calls.push(`secret/${name}`);
      if (!secrets[name]) throw notFound();
      return { data: secrets[name] };
    },
    serviceAccount: async (name) => {
      if (name !== "runner") throw notFound();
      return {};
    },
    priorityClass: async () => {
      throw forbidden();
    },
    runtimeClass: async () => {
      throw new K8sRuntimeError("k8s_api_error", "read failed", { cause: notFound() });
    },
    ...over,
  };
}

const spec = (extra: Partial<V1PodSpec> = {}): V1PodSpec => ({
  containers: [
    {
      name: "claude",
      env: [
        { name: "A", valueFrom: { secretKeyRef: { name: "keys", key: "token" } } },
        { name: "B", valueFrom: { secretKeyRef: { name: "keys", key: "absent" } } },
        { name: "C", valueFrom: { secretKeyRef: { name: "gone", key: "x" } } },
        { name: "D", valueFrom: { secretKeyRef: { name: "gone", key: "y", optional: true } } },
        { name: "RUN", valueFrom: { secretKeyRef: { name: "run-secret", key: "env.RUN" } } },
      ],
    },
  ],
  volumes: [{ name: "run-files", projected: { sources: [{ secret: { name: "run-secret" } }] } }],
  ...extra,
});

describe("preflightPodSpec", () => {
  it("names missing Secrets and keys, skips optional and own Secrets, reads each Secret once", async () => {
    const r = reads();
    const findings = await preflightPodSpec(r, spec(), { namespace: "agents", ownSecrets: ["run-secret"] });
    expect(findings.map((f) => [f.subject.kind, f.status, f.message])).toEqual([
      ["Secret", "ok", "Secret keys exists"],
      ["Secret", "missing", "Secret keys has no key absent"],
      ["Secret", "missing", "Secret gone does not exist in namespace agents"],
    ]);
    expect(findings[2]?.subject).toMatchObject({ name: "gone", key: "x", env: "C", container: "claude" });
    expect(r.calls).toEqual(["secret/keys", "secret/gone"]);
  });

  it("checks ServiceAccount, PriorityClass and RuntimeClass; a forbidden read is unknown, not a failure", async () => {
    const findings = await preflightPodSpec(
      reads(),
      { containers: [], serviceAccountName: "ghost", priorityClassName: "high", runtimeClassName: "gvisor" },
      { namespace: "agents" },
    );
    expect(findings.map((f) => [f.subject.kind, f.status])).toEqual([
      ["ServiceAccount", "missing"],
      ["PriorityClass", "unknown"],
      ["RuntimeClass", "missing"],
    ]);
    expect(findings[0]?.message).toBe("ServiceAccount ghost does not exist in namespace agents");
    expect(findings[1]?.message).toMatch(/^PriorityClass high could not be verified \(403 Forbidden/);
    expect(findings[2]?.message).toBe("RuntimeClass gvisor does not exist");
  });

  it("reports nothing to check for a spec without references", async () => {
    expect(await preflightPodSpec(reads(), { containers: [{ name: "c" }] }, { namespace: "n" })).toEqual([]);
  });
});
