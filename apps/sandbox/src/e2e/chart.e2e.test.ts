import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type KubernetesObject, KubernetesObjectApi, loadAllYaml } from "@kubernetes/client-node";
import { BUNDLE_SELECTOR } from "@paperclip-k8s/adapter-k8s";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot, resolveLocalConfig } from "../cluster/config.js";
import { createTestNamespace, deleteTestNamespace } from "../scenarios/index.js";
import { e2eKubeConfig, runProcess } from "./helpers.js";

/**
 * The Helm chart (deploy/helm/paperclip-claude-k8s): helm lint, helm template, and every rendered object
 * accepted by the sandbox's real apiserver in a server-side dry run, in a namespace that enforces Pod Security
 * "restricted" — including the Deployment's pod itself, so a non-compliant template is rejected, not warned about.
 */
const root = findRepoRoot(fileURLToPath(new URL(".", import.meta.url)));
const chart = join(root, "deploy", "helm", "paperclip-claude-k8s");
const helm = join(resolveLocalConfig().addonsBinDir, "helm");

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests, asserted field by field
type Spec = any;
type Obj = KubernetesObject & { spec?: Spec; rules?: unknown[] };

async function template(ns: string, ...set: string[]): Promise<Obj[]> {
  const args = ["template", "pc", chart, "--namespace", ns, "--set", "secrets.auth.name=paperclip-auth"];
  for (const s of set) args.push("--set", s);
  const r = await runProcess(helm, args, 60_000);
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}):\n${r.stderr}`);
  return (loadAllYaml(r.stdout) as Obj[]).filter(Boolean);
}

function podFrom(deployment: Obj, ns: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "pc-pod-check", namespace: ns },
    spec: deployment.spec.template.spec,
  };
}

describe("Helm chart paperclip-claude-k8s", () => {
  let ns: string;
  let api: KubernetesObjectApi;
  const kc = e2eKubeConfig();

  beforeAll(async () => {
    api = KubernetesObjectApi.makeApiClient(kc);
    ns = await createTestNamespace(kc, "chart");
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(kc, ns);
  });

  it("passes helm lint (strict)", async () => {
    const r = await runProcess(helm, ["lint", "--strict", chart, "--set", "secrets.auth.name=x"], 60_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("refuses to render without the auth Secret reference", async () => {
    const r = await runProcess(helm, ["template", "pc", chart], 60_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("secrets.auth.name is required");
  });

  it("renders the Deployment, Service, RWX claim, ServiceAccount and the adapter's own RBAC rules", async () => {
    const objs = await template(ns);
    const kinds = objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(kinds).toEqual([
      "Deployment/pc-paperclip-claude-k8s",
      "Job/pc-paperclip-claude-k8s-cleanup",
      "PersistentVolumeClaim/pc-paperclip-claude-k8s-workspace",
      "Role/pc-paperclip-claude-k8s-jobs",
      "Role/pc-paperclip-claude-k8s-self",
      "RoleBinding/pc-paperclip-claude-k8s-jobs",
      "RoleBinding/pc-paperclip-claude-k8s-self",
      "Service/pc-paperclip-claude-k8s",
      "ServiceAccount/pc-paperclip-claude-k8s",
    ]);
    const adapterFile = loadAllYaml(
      readFileSync(join(root, "packages", "adapter-k8s", "deploy", "rbac.yaml"), "utf8"),
    ) as Obj[];
    const rulesOf = (list: Obj[], kind: string, name: string) =>
      list.find((o) => o.kind === kind && o.metadata?.name === name)?.rules;
    expect(rulesOf(objs, "Role", "pc-paperclip-claude-k8s-jobs")).toEqual(
      rulesOf(adapterFile, "Role", "paperclip-claude-k8s"),
    );
    expect(rulesOf(objs, "Role", "pc-paperclip-claude-k8s-self")).toEqual(
      rulesOf(adapterFile, "Role", "paperclip-claude-k8s-self"),
    );
    // the uninstall hook deletes exactly the adapter's run-bundle ConfigMaps, and is never routed to by the Service
    const hook = objs.find((o) => o.kind === "Job") as Obj;
    expect(hook.metadata?.annotations?.["helm.sh/hook"]).toBe("pre-delete");
    const hookEnv = Object.fromEntries(
      (hook.spec.template.spec.containers[0].env as Array<{ name: string; value: string }>).map((e) => [
        e.name,
        e.value,
      ]),
    );
    expect(hookEnv.BUNDLE_SELECTOR).toBe(BUNDLE_SELECTOR);
    const service = objs.find((o) => o.kind === "Service") as Obj;
    const podLabels = hook.spec.template.metadata.labels as Record<string, string>;
    expect(Object.entries(service.spec.selector).every(([k, v]) => podLabels[k] === v)).toBe(false);
    const pvc = objs.find((o) => o.kind === "PersistentVolumeClaim");
    expect(pvc?.spec.accessModes).toEqual(["ReadWriteMany"]);
    const dep = objs.find((o) => o.kind === "Deployment");
    const container = dep?.spec.template.spec.containers[0];
    expect(container.name).toBe("paperclip");
    expect(container.env).toContainEqual({
      name: "BETTER_AUTH_SECRET",
      valueFrom: { secretKeyRef: { name: "paperclip-auth", key: "BETTER_AUTH_SECRET" } },
    });
    // the run keys' signing secret, by reference (Paperclip's own fallback made explicit)
    expect(container.env).toContainEqual({
      name: "PAPERCLIP_AGENT_JWT_SECRET",
      valueFrom: { secretKeyRef: { name: "paperclip-auth", key: "BETTER_AUTH_SECRET" } },
    });
    expect(container.volumeMounts).toContainEqual({ name: "workspace", mountPath: "/paperclip" });
  });

  it("values set the image registry, adapter version, job namespace and resources", async () => {
    const objs = await template(
      ns,
      "image.registry=registry.example:5000",
      "image.tag=9.9.9",
      "adapter.version=1.2.3",
      "adapter.npmRegistry=http://npm.example:4873",
      "adapter.jobNamespace=agents",
      "resources.limits.memory=3Gi",
    );
    const dep = objs.find((o) => o.kind === "Deployment");
    const c = dep?.spec.template.spec.containers[0];
    expect(c.image).toBe("registry.example:5000/localhost/paperclip:9.9.9");
    expect(c.resources.limits.memory).toBe("3Gi");
    expect(c.env).toContainEqual({
      name: "PAPERCLIP_K8S_ADAPTER_PACKAGE",
      value: "@paperclip-k8s/adapter-k8s@1.2.3",
    });
    expect(c.env).toContainEqual({ name: "NPM_CONFIG_REGISTRY", value: "http://npm.example:4873" });
    expect(
      objs.find((o) => o.kind === "Role" && o.metadata?.name?.endsWith("-jobs"))?.metadata?.namespace,
    ).toBe("agents");
  });

  it("every object passes a server-side dry run, and its pod is admitted under Pod Security restricted", async () => {
    const objs = await template(ns);
    for (const obj of objs) {
      await expect(
        api.create(obj, undefined, "All"),
        `${obj.kind}/${obj.metadata?.name}`,
      ).resolves.toBeDefined();
    }
    // The pod check needs its ServiceAccount for real (the ServiceAccount admission plugin looks it up).
    await api.create(objs.find((o) => o.kind === "ServiceAccount") as Obj);
    const dep = objs.find((o) => o.kind === "Deployment") as Obj;
    await expect(api.create(podFrom(dep, ns), undefined, "All")).resolves.toBeDefined();
  });

  it("the same dry run rejects a pod that breaks Pod Security restricted (the check can fail)", async () => {
    const objs = await template(ns, "securityContext.allowPrivilegeEscalation=true");
    const dep = objs.find((o) => o.kind === "Deployment") as Obj;
    const err = await api.create(podFrom(dep, ns), undefined, "All").then(
      () => undefined,
      (e: unknown) => e,
    );
    const body = String((err as { body?: unknown })?.body ?? err);
    expect(body).toMatch(/violates PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false/);
  });
});
