import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeClients } from "@paperclip-k8s/k8s-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTER_TYPE } from "../identity.js";
import { createServerAdapter } from "../index.js";
import {
  adminClients,
  BRIDGE_HOST,
  CLAUDE_IMAGE,
  createRestrictedNamespace,
  deleteNamespace,
  shippedRoleKubeconfig,
} from "./cluster.js";

// Issue 14 item 6 on the real cluster: with probeApiUrl on, the environment test starts a probe pod from the run's
// own pod (the claude image, the restricted namespace, the shipped Role) that fetches the Paperclip API URL the
// agent would get. A URL pods reach passes; a refused one fails naming the field; no probe Job is left either way.

const NS = `ck8s-probe-${Date.now().toString(36)}`;
let admin: KubeClients;
let kubeconfig: string;
let paperclip: Server;
let url = "";
const seen: string[] = [];

beforeAll(async () => {
  admin = adminClients();
  await createRestrictedNamespace(admin, NS);
  kubeconfig = await shippedRoleKubeconfig(admin, NS, "paperclip");
  // stands in for the Paperclip API on an address pods reach: the probe only asks for /api/health
  paperclip = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res
      .writeHead(req.url === "/api/health" ? 200 : 404, { "content-type": "application/json" })
      .end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => paperclip.listen(0, BRIDGE_HOST, resolve));
  url = `http://${BRIDGE_HOST}:${(paperclip.address() as AddressInfo).port}`;
});

afterAll(async () => {
  paperclip?.close();
  await deleteNamespace(admin, NS);
});

function config(paperclipApiUrl: string): Record<string, unknown> {
  return {
    namespace: NS,
    kubeconfig,
    image: CLAUDE_IMAGE,
    workspaceMode: "emptyDir",
    paperclipApiUrl,
    probeApiUrl: true,
    env: { ANTHROPIC_API_KEY: "sk-ant-e2e-probe" },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
  };
}

describe("the environment test's Paperclip API probe", () => {
  const adapter = createServerAdapter();

  it("a pod reaches the URL: info with the answer; the probe Job is gone", async () => {
    const tested = await adapter.testEnvironment({
      companyId: "c1",
      adapterType: ADAPTER_TYPE,
      config: config(url),
    });
    const probe = tested.checks.find((c) => c.code.startsWith("k8s_api_probe"));
    expect(probe, JSON.stringify(tested.checks, null, 1)).toMatchObject({
      code: "k8s_api_probe",
      level: "info",
    });
    expect(probe?.message).toMatch(
      new RegExp(`reached the Paperclip API at ${url.replaceAll(".", "\\.")} \\(HTTP 200`),
    );
    expect(seen).toContain("GET /api/health");
    expect((await admin.batch.listNamespacedJob({ namespace: NS })).items).toEqual([]);
  });

  it("a refused URL: an error naming the field; the probe Job is gone", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, BRIDGE_HOST, resolve));
    const dead = `http://${BRIDGE_HOST}:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const tested = await adapter.testEnvironment({
      companyId: "c1",
      adapterType: ADAPTER_TYPE,
      config: config(dead),
    });
    expect(tested.status).toBe("fail");
    const probe = tested.checks.find((c) => c.code.startsWith("k8s_api_probe"));
    expect(probe).toMatchObject({ code: "k8s_api_probe_failed", level: "error" });
    expect(probe?.message).toMatch(/could not reach the Paperclip API .*: FAILED ECONNREFUSED/);
    expect(probe?.hint).toMatch(/paperclipApiUrl/);
    expect((await admin.batch.listNamespacedJob({ namespace: NS })).items).toEqual([]);
  });
});
