import { describe, expect, it } from "vitest";
import { jobExists } from "./cluster.js";
import { adapterSuite, explain, jobOf } from "./suite.js";

// Each Kubernetes failure class ends as its own error code (and CLI failures keep claude-parse's codes).

const s = adapterSuite("ck8s-fail");

describe("claude_k8s failure classes on a real cluster (shipped Role, Pod Security restricted)", () => {
  describe("failure classes", () => {
    it("image pull failure", async () => {
      const r = s.run({
        runId: "img",
        agentId: "agent-img",
        config: { image: "localhost/paperclip-claude:no-such-tag", promptTemplate: "x" },
      });
      const result = await s.execute(r);
      expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_image_pull_failed" });
      expect(result.errorMessage).toContain("no-such-tag");
      expect(await jobExists(s.admin, s.ns, jobOf(result))).toBeUndefined();
    });

    it("unschedulable pod", async () => {
      const r = s.run({
        runId: "unsched",
        agentId: "agent-unsched",
        config: {
          nodeSelector: { "e2e.paperclip/nowhere": "true" },
          podScheduleTimeoutSec: 8,
          promptTemplate: "x",
        },
      });
      const result = await s.execute(r);
      expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_pod_unschedulable" });
      expect(result.errorMessage).toMatch(/node/i);
    });

    it("OOMKilled", async () => {
      const r = s.run({
        runId: "oom",
        agentId: "agent-oom",
        config: { resources: { limits: { memory: "24Mi" } }, promptTemplate: "hello [[mock:success]]" },
      });
      const result = await s.execute(r);
      expect(result.errorCode).toBe("k8s_oom_killed");
      expect(result.exitCode).toBe(137);
    });

    it("evicted (workspace emptyDir over its size limit)", async () => {
      const big = "x".repeat(2 * 1024 * 1024);
      // The 2 MiB prompt lands in the Claude home on the workspace (the session transcript): over the limit.
      // (From the wake context: a config value is capped at 64 KiB.)
      const r = s.run({
        runId: "evict",
        agentId: "agent-evict",
        context: { big },
        config: {
          workspaceMode: "emptyDir",
          emptyDirSizeLimit: "1Mi",
          promptTemplate: "{{ context.big }}\n[[mock:slow:90]]",
        },
      });
      const result = await s.execute(r);
      expect(result.errorCode, explain(result, r)).toBe("k8s_pod_evicted");
    });

    it("deadline exceeded is a timeout", async () => {
      const r = s.run({
        runId: "deadline",
        agentId: "agent-deadline",
        config: { timeoutSec: 15, promptTemplate: "[[mock:slow:120]]" },
      });
      const result = await s.execute(r);
      expect(result).toMatchObject({ timedOut: true, errorCode: "timeout" });
    });

    it("Job deleted by someone else", async () => {
      const r = s.run({
        runId: "deleted",
        agentId: "agent-deleted",
        config: { promptTemplate: "[[mock:slow:120]]" },
      });
      const pending = s.execute(r);
      await r.waitForStatus(/claude started/);
      const created = r.statusLines().find((l) => l.includes("created Job")) ?? "";
      const name = /Job [^/]+\/(\S+)/.exec(created)?.[1] ?? "";
      await s.admin.batch.deleteNamespacedJob({ name, namespace: s.ns, propagationPolicy: "Background" });
      const result = await pending;
      expect(result).toMatchObject({ exitCode: null, errorCode: "k8s_job_deleted" });
    });

    it("CLI-level failures keep claude-parse's classification (401, max turns)", async () => {
      const auth = await s.execute(
        s.run({ runId: "auth", agentId: "agent-auth", config: { promptTemplate: "[[mock:auth-401]]" } }),
      );
      expect(auth.errorCode).toBe("claude_auth_required");
      expect(auth.exitCode).not.toBe(0);
      const turns = await s.execute(
        s.run({
          runId: "turns",
          agentId: "agent-turns",
          config: { maxTurnsPerRun: 1, promptTemplate: "[[mock:max-turns]]" },
        }),
      );
      expect(turns).toMatchObject({ errorCode: "max_turns_exhausted", clearSession: true });
    });
  });

  s.scanForSecrets();
});
