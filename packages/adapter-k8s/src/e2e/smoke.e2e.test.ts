import { describe, expect, it } from "vitest";
import { jobExists } from "./cluster.js";
import { events } from "./harness.js";
import { adapterSuite, explain, jobOf, UUID } from "./suite.js";

// The smoke every provider passes: one claude_k8s run of the real claude image through the adapter against the mock
// Anthropic API, with an emptyDir workspace (no host directory: on kind the node is a container). CI runs this file
// alone on a kind cluster (SANDBOX_PROVIDER=kind); with the other suites it runs on the local cluster too.

const s = adapterSuite("ck8s-smoke");

describe(`claude_k8s smoke on the ${process.env.SANDBOX_PROVIDER ?? "sandbox"} cluster`, () => {
  it("runs claude in a Job and reports usage, session and the mock's answer", async () => {
    const r = s.run({
      runId: "smoke-1",
      agentId: "agent-smoke",
      taskKey: "task-smoke",
      config: { promptTemplate: "Say hello [[mock:success]]", workspaceMode: "emptyDir" },
    });
    const result = await s.execute(r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(result.errorCode ?? null).toBeNull();
    // emptyDir: the session dies with the pod, so none is stored; the CLI still opened one.
    expect(result.sessionId ?? null).toBeNull();
    expect((events(r)[0] as { session_id?: string }).session_id).toMatch(UUID);
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    expect(result.summary).toContain("Hello from the mock");
    expect(events(r).at(-1)).toMatchObject({ type: "result", subtype: "success" });
    expect(await jobExists(s.admin, s.ns, jobOf(result))).toBeUndefined();
  });

  s.scanForSecrets();
});
