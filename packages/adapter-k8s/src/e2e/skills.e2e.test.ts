import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Exec, type V1ConfigMap, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_ANNOTATIONS, BUNDLE_SELECTOR, bundleObjectsOf } from "../bundle-objects.js";
import { claudeRunning, namespaceDump, waitForPod } from "./cluster.js";
import { events, type RecordedRun } from "./harness.js";
import { adapterSuite, explain } from "./suite.js";

// Issue 14 in a Job pod: the real claude 2.1.330 image loads the Paperclip skill and the instructions bundle shipped
// as content-addressed ConfigMaps, and Paperclip's MCP server from the per-run Secret. Evidence is what the CLI
// reports in its init event and what the pod can read; the bundle objects are counted across runs, and an idle one
// is collected. Fails with the bundle volume or --add-dir removed (no skill, no file), or the objects recreated.

const s = adapterSuite("ck8s-skills");
const TOKEN = "pcp_e2e_mcp_bearer_NEVER_IN_A_SPEC_7d2e";
const AGENT = "agent-skills";
const MOUNT = "/var/run/paperclip/bundle";
let root = "";
const savedRoots = process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS;
const runs: RecordedRun[] = [];
const results: unknown[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ck8s-skills-"));
  await mkdir(join(root, "skill"), { recursive: true });
  await writeFile(
    join(root, "skill", "SKILL.md"),
    "---\nname: paperclip\ndescription: Paperclip heartbeat procedure.\n---\nCheck out your issue.\n",
  );
  await mkdir(join(root, "bundle"), { recursive: true });
  await writeFile(join(root, "bundle", "AGENTS.md"), "# Agent\nRead ./SOUL.md\n");
  await writeFile(join(root, "bundle", "SOUL.md"), "soul of the e2e agent\n");
  process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = join(root, "bundle");
});

afterAll(async () => {
  if (savedRoots === undefined) delete process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS;
  else process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = savedRoots;
  if (root) await rm(root, { recursive: true, force: true });
});

function skillRun(runId: string, prompt: string, sessionParams: Record<string, unknown> | null = null) {
  const run = s.run({
    runId,
    agentId: AGENT,
    sessionParams,
    config: {
      instructionsFilePath: join(root, "bundle", "AGENTS.md"),
      paperclipRuntimeSkills: [
        { key: "paperclipai/paperclip/paperclip", runtimeName: "paperclip", source: join(root, "skill") },
      ],
      promptTemplate: prompt,
    },
  });
  // a loopback URL, as Paperclip gives it: the adapter moves it to paperclipApiUrl, which pods reach
  run.ctx.runtimeMcp = {
    getServers: () => [
      { name: "paperclip-e2e", url: "http://127.0.0.1:3100/api/mcp", token: TOKEN, connectionId: "e2e" },
    ],
  };
  runs.push(run);
  return run;
}

const bundleObjects = async (): Promise<V1ConfigMap[]> =>
  (await s.admin.core.listNamespacedConfigMap({ namespace: s.ns, labelSelector: BUNDLE_SELECTOR })).items;

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
    void new Exec(s.admin.kubeConfig)
      .exec(s.ns, pod.metadata?.name ?? "", "claude", command, sink, null, null, false, (status) => {
        clearTimeout(timer);
        if (status.status === "Success") resolve();
        else reject(new Error(`exec failed: ${JSON.stringify(status)}`));
      })
      .catch(reject);
  });
  return Buffer.concat(chunks).toString("utf8");
}

const initOf = (run: RecordedRun) =>
  events(run).find((e) => e.type === "system" && e.subtype === "init") as
    | { skills?: string[]; mcp_servers?: { name: string }[]; additional_directories?: string[] }
    | undefined;
const argsOf = (run: RecordedRun) => (run.meta[0] as { commandArgs: string[] }).commandArgs;

describe("claude_k8s ships skills, the instructions bundle and MCP servers (issue 14)", () => {
  let firstSession: Record<string, unknown> | null = null;

  it("the CLI in the pod lists the skill and the MCP server, reads the entry and its sibling; an idle bundle is collected", async () => {
    // an earlier bundle nobody used for two days and no Job mounts
    const stale = "paperclip-bundle-0000000000000000000000000000000000000000-0";
    await s.admin.core.createNamespacedConfigMap({
      namespace: s.ns,
      body: {
        metadata: {
          name: stale,
          labels: {
            "app.kubernetes.io/managed-by": "paperclip-claude-k8s",
            "paperclip.ai/component": "run-bundle",
          },
          annotations: { [BUNDLE_ANNOTATIONS.lastUsed]: new Date(Date.now() - 2 * 86_400_000).toISOString() },
        },
        immutable: true,
        data: { f0000: "old" },
      },
    });
    const run = skillRun("skills-1", "Take your time [[mock:slow:15]]");
    const result = s.execute(run);
    const pod = await waitForPod(
      s.admin,
      s.ns,
      (p) => p.metadata?.labels?.["paperclip.ai/run-id"] === "skills-1" && claudeRunning(p),
    );
    const entry = await execInPod(pod, ["cat", `${MOUNT}/instructions/AGENTS.md`]);
    expect(entry).toContain("# Agent\nRead ./SOUL.md\n");
    expect(entry).toContain(`Resolve any relative file references from ${MOUNT}/instructions/`);
    expect(await execInPod(pod, ["cat", `${MOUNT}/instructions/SOUL.md`])).toBe("soul of the e2e agent\n");
    expect(await execInPod(pod, ["cat", `${MOUNT}/.claude/skills/paperclip/SKILL.md`])).toContain(
      "Check out your issue.",
    );
    const mcpConfig = JSON.parse(await execInPod(pod, ["cat", "/var/run/paperclip/run/mcp-config.json"]));
    expect(mcpConfig.mcpServers["paperclip-e2e"].url).toBe(`${String(s.config().paperclipApiUrl)}/api/mcp`);
    // the pod spec mounts the bundle objects, never the token
    expect(bundleObjectsOf({ spec: { template: { spec: pod.spec ?? { containers: [] } } } })).toHaveLength(1);
    expect(JSON.stringify(pod)).not.toContain(TOKEN);

    const r = await result;
    results.push(r);
    expect(r.errorCode ?? null, explain(r, run)).toBeNull();
    const init = initOf(run);
    expect(init?.skills).toContain("paperclip");
    expect(init?.mcp_servers?.map((m) => m.name)).toContain("paperclip-e2e");
    expect(init?.additional_directories).toContain(MOUNT);
    expect(argsOf(run)).toEqual(
      expect.arrayContaining(["--append-system-prompt-file", `${MOUNT}/instructions/AGENTS.md`]),
    );
    expect(run.statusLines().join("\n")).toMatch(/created run bundle [0-9a-f]{40} \(3 files/);
    const objects = await bundleObjects();
    expect(objects.map((o) => o.metadata?.name)).not.toContain(stale);
    expect(objects).toHaveLength(1);
    expect(JSON.stringify(objects)).not.toContain(TOKEN);
    expect(r.sessionParams).toMatchObject({ promptBundleKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    firstSession = r.sessionParams ?? null;
  });

  it("a second run with the same content reuses the objects untouched and resumes the session", async () => {
    const before = (await bundleObjects()).map((o) => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`);
    const run = skillRun("skills-2", "Again [[mock:success]]", firstSession);
    const r = await s.execute(run);
    results.push(r);
    expect(r.errorCode ?? null, explain(r, run)).toBeNull();
    // no create, no re-stamp: the same objects at the same resourceVersion
    expect((await bundleObjects()).map((o) => `${o.metadata?.uid}@${o.metadata?.resourceVersion}`)).toEqual(
      before,
    );
    expect(run.statusLines().join("\n")).toMatch(/reused run bundle/);
    expect(argsOf(run)).toEqual(expect.arrayContaining(["--resume", String(firstSession?.sessionId)]));
    expect(initOf(run)?.skills).toContain("paperclip");
  });

  it("a changed skill ships a new bundle and starts a fresh session, saying why", async () => {
    await writeFile(
      join(root, "skill", "SKILL.md"),
      "---\nname: paperclip\ndescription: Paperclip heartbeat procedure.\n---\nA new procedure.\n",
    );
    const run = skillRun("skills-3", "Changed [[mock:success]]", firstSession);
    const r = await s.execute(run);
    results.push(r);
    expect(r.errorCode ?? null, explain(r, run)).toBeNull();
    expect(run.statusLines().join("\n")).toMatch(
      /will not be resumed: the run bundle \(skills, instructions\) changed/,
    );
    expect(argsOf(run)).not.toContain("--resume");
    expect(await bundleObjects()).toHaveLength(2);
  });

  it("never puts the MCP token in a pod spec, an Event, a ConfigMap, the run log or a result", async () => {
    const dump = await namespaceDump(s.admin, s.ns);
    expect(dump).toContain("claude");
    expect(dump).not.toContain(TOKEN);
    expect(JSON.stringify(await bundleObjects())).not.toContain(TOKEN);
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      expect(run.allText()).not.toContain(TOKEN);
      expect(JSON.stringify(run.meta)).not.toContain(TOKEN);
    }
    expect(JSON.stringify(results)).not.toContain(TOKEN);
  });

  s.scanForSecrets();
});
