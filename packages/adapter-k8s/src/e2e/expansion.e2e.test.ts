import { createServer, request, type Server } from "node:http";
import { Writable } from "node:stream";
import { Exec, type V1Pod } from "@kubernetes/client-node";
import type { KubeClients } from "@paperclip-k8s/k8s-runtime";
import { type MockAnthropic, startMockAnthropic } from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerAdapter } from "../index.js";
import {
  adminClients,
  BRIDGE_HOST,
  CLAUDE_IMAGE,
  claudeRunning,
  createRestrictedNamespace,
  deleteNamespace,
  namespaceDump,
  shippedRoleKubeconfig,
  waitForPod,
} from "./cluster.js";
import { recordedRun } from "./harness.js";

// Issue 13, finding 2: Kubernetes expands `$(VAR)` in command, args and env values with the container's env, so a
// config value could pull a Secret-backed variable into places the adapter does not track. Read back from inside a
// real pod: every value arrives exactly as configured and the key appears nowhere but in its own variable.

const API_KEY = "sk-ant-e2e-EXPANSION-must-stay-put-7d2e";
const REF = "$(ANTHROPIC_API_KEY)";
const NS = `ck8s-exp-${Date.now().toString(36)}`;

let admin: KubeClients;
let mock: MockAnthropic;
let capture: { server: Server; url: string; systems: string[] };
let kubeconfig: string;

/** An HTTP hop in front of the mock that records the system prompt of every Messages request. */
async function captureSystemPrompts(target: MockAnthropic) {
  const systems: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.url?.startsWith("/v1/messages")) {
        try {
          const system = (JSON.parse(body.toString("utf8")) as { system?: unknown }).system;
          systems.push(typeof system === "string" ? system : JSON.stringify(system ?? ""));
        } catch {
          // not JSON: nothing to record
        }
      }
      const upstream = request(
        { host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, BRIDGE_HOST, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, url: `http://${BRIDGE_HOST}:${port}`, systems };
}

/** Runs `command` in the pod's claude container (admin credentials) and returns its stdout. */
async function execInPod(pod: V1Pod, command: string[]): Promise<string> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("exec timed out")), 30_000);
    void new Exec(admin.kubeConfig)
      .exec(NS, pod.metadata?.name ?? "", "claude", command, sink, null, null, false, (status) => {
        clearTimeout(timer);
        if (status.status === "Success") resolve();
        else reject(new Error(`exec failed: ${JSON.stringify(status)}`));
      })
      .catch(reject);
  });
  return Buffer.concat(chunks).toString("utf8");
}

beforeAll(async () => {
  admin = adminClients();
  await createRestrictedNamespace(admin, NS);
  kubeconfig = await shippedRoleKubeconfig(admin, NS, "paperclip");
  mock = await startMockAnthropic({ host: BRIDGE_HOST, port: 0, log: () => undefined });
  capture = await captureSystemPrompts(mock);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (capture ? capture.server.close(() => resolve()) : resolve()));
  await mock?.close();
  if (admin) await deleteNamespace(admin, NS);
});

describe("Kubernetes $(VAR) expansion (issue 13, finding 2)", () => {
  it("args, env values and the Paperclip URL reach the pod literally; the key stays in its own variable", async () => {
    const run = recordedRun({
      runId: "expansion-1",
      agentId: "agent-expansion",
      config: {
        namespace: NS,
        kubeconfig,
        image: CLAUDE_IMAGE,
        workspaceMode: "emptyDir",
        env: {
          ANTHROPIC_BASE_URL: capture.url,
          ANTHROPIC_API_KEY: API_KEY,
          DISABLE_TELEMETRY: "1",
          DISABLE_AUTOUPDATER: "1",
          FOO: REF,
        },
        extraArgs: ["--append-system-prompt", `XX-${REF}-YY`],
        paperclipApiUrl: `http://${BRIDGE_HOST}:3100/${REF}`,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "1536Mi" } },
        // Keeps claude running long enough to look inside its pod.
        promptTemplate: "Take your time [[mock:slow:60]]",
        keepaliveSec: 5,
      },
    });
    const adapter = createServerAdapter();
    const result = adapter.execute(run.ctx);
    try {
      const pod = await waitForPod(
        admin,
        NS,
        (p) => p.metadata?.labels?.["paperclip.ai/run-id"] === "expansion-1" && claudeRunning(p),
      );
      const environ = Object.fromEntries(
        (await execInPod(pod, ["cat", "/proc/1/environ"]))
          .split("\0")
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      );
      expect(environ.ANTHROPIC_API_KEY).toBe(API_KEY);
      expect(environ.FOO).toBe(REF);
      expect(environ.PAPERCLIP_API_URL).toBe(`http://${BRIDGE_HOST}:3100/${REF}`);
      const leaking = Object.entries(environ).filter(
        ([name, value]) => name !== "ANTHROPIC_API_KEY" && value.includes(API_KEY),
      );
      expect(leaking.map(([name]) => name)).toEqual([]);
      const argv = (await execInPod(pod, ["cat", "/proc/1/cmdline"])).split("\0");
      expect(argv.join(" ")).not.toContain(API_KEY);

      const deadline = Date.now() + 60_000;
      const appended = () => capture.systems.some((s) => s.includes(`XX-${REF}-YY`));
      while (!appended() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(appended()).toBe(true);
      expect(capture.systems.some((s) => s.includes(API_KEY))).toBe(false);
      expect(await namespaceDump(admin, NS)).not.toContain(API_KEY);
    } finally {
      run.abort.abort();
      const settled = await result;
      expect(settled.errorCode).toBe("cancelled");
    }
    expect(run.allText()).not.toContain(API_KEY);
  });
});
