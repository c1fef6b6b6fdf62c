import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdapterExecutionContext, decideResume } from "@paperclip-k8s/run-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_OBJECT_CAPACITY } from "./bundle-objects.js";
import type { ClusterContext } from "./cluster.js";
import { parseConfig } from "./config.js";
import { prepareRun, type RunPlan } from "./prepare.js";
import { planK8sRunFiles } from "./run-files.js";

const TOKEN = "pcp_mcp_bearer_NEVER_IN_A_SPEC";
const SESSION = "0f8e2c1a-1234-4abc-9def-001122334455";
const cluster = {
  namespace: "agents",
  ownPod: { info: undefined, reason: "not in a pod" },
} as unknown as ClusterContext;

let root: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "k8s-run-files-")));
  await mkdir(join(root, "skill"), { recursive: true });
  await writeFile(join(root, "skill", "SKILL.md"), "---\nname: paperclip\ndescription: d\n---\nwork\n");
  await mkdir(join(root, "bundle"), { recursive: true });
  await writeFile(join(root, "bundle", "AGENTS.md"), "# Agent\nRead ./SOUL.md\n");
  await writeFile(join(root, "bundle", "SOUL.md"), "soul\n");
});
afterAll(() => rm(root, { recursive: true, force: true }));

function runCtx(config: Record<string, unknown>, sessionParams: Record<string, unknown> | null = null) {
  return {
    runId: "run-1",
    agent: { id: "agent-1", companyId: "co", name: "One", adapterType: "claude_k8s", adapterConfig: config },
    runtime: { sessionId: null, sessionParams, sessionDisplayId: null, taskKey: null },
    config,
    context: {},
    onLog: async () => {},
    authToken: "run-jwt-value",
    runtimeMcp: {
      getServers: () => [
        { name: "paperclip", url: "http://127.0.0.1:3100/api/mcp/x", token: TOKEN, connectionId: "c1" },
      ],
    },
  } as AdapterExecutionContext;
}

const serverEnv = () => ({ PAPERCLIP_K8S_INSTRUCTIONS_ROOTS: join(root, "bundle") });
const configWith = (extra: Record<string, unknown> = {}) => ({
  image: "claude:1",
  workspaceClaimName: "ws",
  paperclipApiUrl: "http://paperclip.paperclip.svc:3100",
  instructionsFilePath: join(root, "bundle", "AGENTS.md"),
  paperclipRuntimeSkills: [
    { key: "paperclipai/paperclip/paperclip", runtimeName: "paperclip", source: join(root, "skill") },
  ],
  ...extra,
});

async function plan(config: Record<string, unknown>, sessionParams: Record<string, unknown> | null = null) {
  const ctx = runCtx(config, sessionParams);
  const parsed = parseConfig(config).config;
  const files = await planK8sRunFiles(ctx, parsed, serverEnv());
  return prepareRun(
    ctx,
    parsed,
    cluster,
    { serverEnv: serverEnv(), readText: async () => Buffer.alloc(0) },
    undefined,
    files,
  );
}

function shipped(p: RunPlan): Map<string, string> {
  const out = new Map<string, string>();
  p.bundleObjects?.sources.forEach((s, i) => {
    for (const item of s.configMap?.items ?? [])
      out.set(item.path, p.bundleObjects?.configMaps[i]?.data?.[item.key] ?? "");
  });
  return out;
}

describe("claude_k8s ships skills, the instructions bundle and MCP servers (issue 14)", () => {
  it("mounts the bundle read-only, names it in argv, and keeps the MCP token in the run Secret only", async () => {
    const p = await plan(configWith());
    const files = shipped(p);
    expect([...files.keys()].sort()).toEqual([
      ".claude/skills/paperclip/SKILL.md",
      "instructions/AGENTS.md",
      "instructions/SOUL.md",
    ]);
    expect(files.get("instructions/AGENTS.md")).toContain(
      "Resolve any relative file references from /var/run/paperclip/bundle/instructions/",
    );
    const arg = (flag: string) => p.argv[p.argv.indexOf(flag) + 1];
    expect(arg("--add-dir")).toBe("/var/run/paperclip/bundle");
    expect(arg("--append-system-prompt-file")).toBe("/var/run/paperclip/bundle/instructions/AGENTS.md");
    expect(arg("--mcp-config")).toBe("/var/run/paperclip/run/mcp-config.json");
    const spec = p.job.spec?.template.spec;
    expect(spec?.containers[0]?.volumeMounts).toContainEqual({
      name: "run-bundle",
      mountPath: "/var/run/paperclip/bundle",
      readOnly: true,
    });
    expect(
      spec?.volumes?.find((v) => v.name === "run-bundle")?.projected?.sources?.[0]?.configMap?.name,
    ).toBe(p.bundleObjects?.configMaps[0]?.metadata?.name);
    // the token: in the run Secret's MCP config (loopback moved to the API URL), nowhere in the Job or notes
    const mcp = JSON.parse(p.secrets[0]?.data.get("mcp-config.json")?.toString() ?? "{}");
    expect(mcp.mcpServers.paperclip).toEqual({
      type: "http",
      url: "http://paperclip.paperclip.svc:3100/api/mcp/x",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(p.secretValues).toContain(TOKEN);
    expect(JSON.stringify([p.job, p.notes, p.bundleObjects, p.sessionParams])).not.toContain(TOKEN);
    expect(p.notes.join("\n")).toContain(
      "1 Paperclip MCP server(s): paperclip (http://paperclip.paperclip.svc",
    );
  });

  it("records bundle digest and MCP identity: unchanged resumes, a changed skill starts fresh", async () => {
    const first = await plan(configWith());
    const stored: Record<string, unknown> = { ...first.sessionParams, sessionId: SESSION };
    expect(stored).toMatchObject({ promptBundleKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(String(stored.mcpServerIdentity)).toContain('"connectionId":"c1"');
    expect((await plan(configWith(), stored)).resume).toEqual({ resume: true, sessionId: SESSION });

    await writeFile(
      join(root, "skill", "SKILL.md"),
      "---\nname: paperclip\ndescription: d\n---\nnew procedure\n",
    );
    const changed = await plan(configWith(), stored);
    expect(changed.resume).toMatchObject({ resume: false, reason: expect.stringMatching(/run bundle/) });
    expect(changed.bundleObjects?.key).not.toBe(first.bundleObjects?.key);
    // the decision the lifecycle makes from the transport's scope is the same
    expect(
      decideResume(runCtx(configWith(), stored).runtime, {
        cwd: "/x",
        claudeHome: "/h",
        instructionsFilePath: undefined,
        persistentHome: true,
        promptBundleKey: "other",
      }).resume,
    ).toBe(false);
  });

  it("warns about a desired skill whose source is missing and ships nothing without skills or instructions", async () => {
    const config = configWith({
      instructionsFilePath: undefined,
      paperclipRuntimeSkills: [
        { key: "paperclipai/paperclip/paperclip", runtimeName: "paperclip", source: join(root, "gone") },
      ],
    });
    const files = await planK8sRunFiles(runCtx(config), parseConfig(config).config, serverEnv());
    expect(files.warnings.join("\n")).toMatch(/skill "paperclipai\/paperclip\/paperclip"/);
  });
});

describe("what the run bundle costs the cluster (testEnvironment shows these notes and warnings)", () => {
  it("notes files, bytes and ConfigMaps; a skill with a file over one ConfigMap's capacity is left out, named", async () => {
    await mkdir(join(root, "big-skill"), { recursive: true });
    await writeFile(join(root, "big-skill", "SKILL.md"), "---\nname: big\ndescription: d\n---\n");
    await writeFile(join(root, "big-skill", "data.bin"), Buffer.alloc(BUNDLE_OBJECT_CAPACITY + 1));
    const config = configWith({
      paperclipRuntimeSkills: [
        { key: "paperclipai/paperclip/paperclip", runtimeName: "paperclip", source: join(root, "skill") },
        { key: "local/big", runtimeName: "big", source: join(root, "big-skill") },
      ],
      paperclipSkillSync: { desiredSkills: ["paperclipai/paperclip/paperclip", "local/big"] },
    });
    const files = await planK8sRunFiles(runCtx(config), parseConfig(config).config, serverEnv());
    expect(files.notes[0]).toMatch(
      new RegExp(
        `^run bundle [0-9a-f]{40} at \\S+ \\(\\d+ files, \\d+ bytes in 1 ConfigMap\\(s\\) of at most ${BUNDLE_OBJECT_CAPACITY} bytes each\\): skills paperclip;`,
      ),
    );
    expect(files.warnings.join("\n")).toMatch(
      new RegExp(
        `skill "local/big" was not shipped: data.bin is ${BUNDLE_OBJECT_CAPACITY + 1} bytes \\(at most ${BUNDLE_OBJECT_CAPACITY}\\)`,
      ),
    );
  });
});
