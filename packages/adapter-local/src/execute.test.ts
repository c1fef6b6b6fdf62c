/**
 * execute() with a stand-in for the CLI (a shell script at the process boundary). The real CLI is exercised by the
 * e2e suite; these cover setup failures and the env / stdin contract quickly.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AdapterExecutionContext, AdapterInvocationMeta } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { execute } from "./execute.js";

const root = mkdtempSync(join(tmpdir(), "execute-unit-"));

/** A fake `claude` that echoes its stdin and selected env vars back inside a success result. */
function fakeCli(): string {
  const path = join(root, "fake-claude.sh");
  writeFileSync(
    path,
    `#!/bin/sh
prompt=$(cat)
printf '{"type":"system","subtype":"init","session_id":"11111111-2222-4333-8444-555555555555","model":"fake"}\\n'
printf '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"session_id":"11111111-2222-4333-8444-555555555555","result":"%s|%s|%s|%s|%s|%s"}\\n' \\
  "$PAPERCLIP_RUN_ID" "$PAPERCLIP_API_KEY" "$CLAUDECODE" "$MY_SETTING" "$PAPERCLIP_API_URL" "$prompt"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function context(config: Record<string, unknown>, extra: Partial<AdapterExecutionContext> = {}) {
  const metas: AdapterInvocationMeta[] = [];
  const logs: string[] = [];
  let spawned = 0;
  const ctx: AdapterExecutionContext = {
    runId: "run-unit-1",
    agent: {
      id: "agent-1",
      companyId: "company-1",
      name: "Unit",
      adapterType: "claude_cli",
      adapterConfig: {},
    },
    runtime: { sessionId: null, sessionParams: null, sessionDisplayId: null, taskKey: null },
    config: { cwd: root, env: { IS_SANDBOX: "1" }, ...config },
    context: {},
    authToken: "jwt-run-token",
    onLog: async (_stream, chunk) => {
      logs.push(chunk);
    },
    onMeta: async (meta) => {
      metas.push(meta);
    },
    onSpawn: async () => {
      spawned++;
    },
    ...extra,
  };
  return { ctx, metas, logs, spawned: () => spawned };
}

describe("execute setup failures", () => {
  it("rejects invalid config before starting anything, naming the field", async () => {
    const run = context({ timeoutSec: "soon" });
    const result = await execute(run.ctx);
    expect(result).toMatchObject({
      exitCode: null,
      timedOut: false,
      errorCode: "adapter_config_invalid",
      errorMeta: { fields: ["timeoutSec"] },
    });
    expect(result.errorMessage).toContain("timeoutSec: ");
    expect(run.metas).toHaveLength(0);
    expect(run.spawned()).toBe(0);
  });

  it("reports a command that is not installed", async () => {
    const run = context({ command: "claude-definitely-not-installed" });
    const result = await execute(run.ctx);
    expect(result.errorCode).toBe("adapter_failed");
    expect(result.errorMeta).toEqual({ field: "command" });
    expect(result.errorMessage).toContain("claude-definitely-not-installed");
  });

  it("reports a cwd that is a file as a workspace problem", async () => {
    const file = join(root, "not-a-dir");
    writeFileSync(file, "");
    const result = await execute(context({ cwd: file, command: fakeCli() }).ctx);
    expect(result.errorCode).toBe("workspace_validation_failed");
    expect(result.errorMessage).toContain("is not a directory");
  });

  it("refuses an instructions file outside the allowed roots (the same rule as claude_k8s)", async () => {
    for (const path of ["/proc/self/environ", "/etc/passwd", join(root, "outside.md")]) {
      const run = context({ command: fakeCli(), instructionsFilePath: path });
      const result = await execute(run.ctx);
      expect(result).toMatchObject({
        errorCode: "adapter_config_invalid",
        errorMeta: { fields: ["instructionsFilePath"] },
      });
      expect(run.spawned()).toBe(0);
    }
  });

  it("runs without an instructions file that is missing inside an allowed root, with a warning", async () => {
    const previous = process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS;
    process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = root;
    try {
      const run = context({ command: fakeCli(), instructionsFilePath: join(root, "missing.md") });
      await execute(run.ctx);
      expect(run.spawned()).toBe(1);
      expect(run.logs.join("")).toMatch(
        /\[paperclip\] instructions file .*missing\.md.*continuing without it/,
      );
      expect(run.metas[0]?.commandArgs).not.toContain("--append-system-prompt-file");
    } finally {
      if (previous === undefined) delete process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS;
      else process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = previous;
    }
  });

  it.skipIf(process.getuid?.() !== 0)("explains why skipping permissions fails as root", async () => {
    const result = await execute(context({ command: fakeCli(), env: {} }).ctx);
    expect(result).toMatchObject({
      errorCode: "adapter_config_invalid",
      errorMeta: { fields: ["dangerouslySkipPermissions"] },
    });
    expect(result.errorMessage).toContain("IS_SANDBOX");
  });
});

describe("execute env and stdin contract", () => {
  it("gives the CLI the run's PAPERCLIP_* vars over config and host, the prompt on stdin", async () => {
    process.env.CLAUDECODE = "1"; // as if the server itself ran inside Claude Code
    try {
      const run = context({
        command: fakeCli(),
        promptTemplate: "Hello {{agent.name}}",
        env: { IS_SANDBOX: "1", MY_SETTING: "on", PAPERCLIP_RUN_ID: "spoofed" },
        paperclipApiUrl: "http://paperclip.test:3100",
      });
      const result = await execute(run.ctx);
      expect(result.errorCode ?? null).toBeNull();
      expect(result.summary).toBe("run-unit-1|jwt-run-token||on|http://paperclip.test:3100|Hello Unit");
      expect(result.sessionParams).toMatchObject({
        sessionId: "11111111-2222-4333-8444-555555555555",
        cwd: root,
      });
      expect(run.metas[0]?.env?.PAPERCLIP_API_KEY).toBe("***REDACTED***");
      expect(run.metas[0]?.prompt).toBe("Hello Unit");
      expect(run.logs.join("").endsWith("\n")).toBe(true);
    } finally {
      delete process.env.CLAUDECODE;
    }
  });
});

describe("execute unknown-session retry", () => {
  /** A fake CLI whose stored sessions are all gone and whose fresh runs crash before writing a session id. */
  function forgetfulCli(): string {
    const path = join(root, "forgetful-claude.sh");
    writeFileSync(
      path,
      `#!/bin/sh
cat >/dev/null
case " $* " in
  *" --resume "*) echo "No conversation found with session ID: $3" >&2; exit 1 ;;
  *) echo "boom" >&2; exit 2 ;;
esac
`,
    );
    chmodSync(path, 0o755);
    return path;
  }

  it("retries once without --resume and clears the stored session when the retry yields none", async () => {
    const stale = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    const run = context({ command: forgetfulCli() });
    run.ctx.runtime = { ...run.ctx.runtime, sessionParams: { sessionId: stale, cwd: root } };
    const result = await execute(run.ctx);
    expect(run.metas).toHaveLength(2);
    expect(run.metas[0]?.commandArgs).toContain("--resume");
    expect(run.metas[1]?.commandArgs).not.toContain("--resume");
    expect(run.spawned()).toBe(2);
    expect(result).toMatchObject({ clearSession: true, sessionId: null, sessionParams: null, exitCode: 2 });
    expect(result.errorCode).not.toBe("claude_unknown_session");
  });

  it("forgets the stale session when cancelled between the failure and the retry", async () => {
    const controller = new AbortController();
    const run = context({ command: forgetfulCli() }, { signal: controller.signal });
    run.ctx.runtime = {
      ...run.ctx.runtime,
      sessionParams: { sessionId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", cwd: root },
    };
    const onLog = run.ctx.onLog;
    run.ctx.onLog = async (stream, chunk) => {
      if (chunk.includes("retrying once with a fresh session")) controller.abort();
      await onLog(stream, chunk);
    };
    const result = await execute(run.ctx);
    expect(run.spawned()).toBe(1);
    expect(result).toMatchObject({ errorCode: "cancelled", clearSession: true, sessionParams: null });
  });
});
