/**
 * The harness alone, with no adapter of ours: the real Paperclip server starts from the cache in a temporary home in
 * authenticated mode, its first instance admin is created through the official CLI and the HTTP API, it runs an
 * agent on its built-in `process` adapter and serves that run's log, then stops without leaving a process behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePaperclip, PAPERCLIP_VERSION } from "./install.js";
import { type PaperclipServer, startPaperclip } from "./server.js";

describe("Paperclip harness (real paperclipai server)", () => {
  let paperclip: PaperclipServer;

  beforeAll(async () => {
    paperclip = await startPaperclip({ log: (line) => console.log(line) });
  });

  afterAll(async () => {
    await paperclip?.stop();
  });

  it("serves the pinned version in authenticated mode on loopback, with a bootstrapped instance admin", async () => {
    const health = await paperclip.api.health();
    expect(health).toMatchObject({
      status: "ok",
      version: PAPERCLIP_VERSION,
      deploymentMode: "authenticated",
      bootstrapStatus: "ready",
    });
    expect(paperclip.admin?.email).toMatch(/@e2e\.invalid$/);
    // without the admin's session the API refuses board requests
    const anonymous = await fetch(`${paperclip.url}/api/companies`);
    expect(anonymous.status).toBe(403);
    const session = await paperclip.api.request<{ user?: { email?: string } }>(
      "GET",
      "/api/auth/get-session",
    );
    expect(session.user?.email).toBe(paperclip.admin?.email);
    expect(paperclip.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(paperclip.install.node).toContain("node-24");
    // a second start reuses the cached install
    expect((await ensurePaperclip()).cached).toBe(true);
  });

  it("creates a company and an agent and runs it through Paperclip's own heartbeat", async () => {
    const company = await paperclip.api.createCompany("Harness Co");
    const agent = await paperclip.api.createAgent(company.id, {
      name: "echo",
      adapterType: "process",
      adapterConfig: { command: "bash", args: ["-c", "echo harness-out; echo harness-err >&2"] },
    });
    const queued = await paperclip.api.wakeAgent(agent.id, "harness e2e");
    const run = await paperclip.api.waitForRun(queued.id, 120_000);
    expect(run.status).toBe("succeeded");
    const log = await paperclip.api.runLog(run.id);
    expect(log).toContainEqual(expect.objectContaining({ stream: "stdout", chunk: "harness-out\n" }));
    expect(log).toContainEqual(expect.objectContaining({ stream: "stderr", chunk: "harness-err\n" }));
  });

  it("stops the server and its embedded Postgres, leaving no process and no home behind", async () => {
    const { pid, home } = paperclip;
    await paperclip.stop();
    const leftovers = execFileSync("ps", ["-eo", "pid=,pgid=,args="], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim().split(/\s+/)[1] === String(pid) || line.includes(home));
    expect(leftovers).toEqual([]);
    expect(existsSync(home)).toBe(false);
  });
});
