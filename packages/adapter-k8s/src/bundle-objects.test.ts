import type { V1ConfigMap, V1Job } from "@kubernetes/client-node";
import { type RunFile, RunLog } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import {
  BUNDLE_ANNOTATIONS,
  BUNDLE_SELECTOR,
  bundleObjectsOf,
  collectUnusedBundles,
  planBundleObjects,
} from "./bundle-objects.js";
import type { ClusterContext } from "./cluster.js";

const file = (path: string, content: string | Buffer, mode = 0o644): RunFile => ({
  path,
  content: typeof content === "string" ? Buffer.from(content) : content,
  mode,
});

/** Every file of the planned objects by the path it gets in the pod, as bytes. */
function projected(
  objects: ReturnType<typeof planBundleObjects>,
): Map<string, { bytes: Buffer; mode: number | undefined }> {
  const out = new Map<string, { bytes: Buffer; mode: number | undefined }>();
  objects.sources.forEach((source, i) => {
    const cm = objects.configMaps[i];
    expect(source.configMap?.name).toBe(cm?.metadata?.name);
    for (const item of source.configMap?.items ?? []) {
      const text = cm?.data?.[item.key];
      const bytes =
        text !== undefined ? Buffer.from(text) : Buffer.from(cm?.binaryData?.[item.key] ?? "", "base64");
      out.set(item.path, { bytes, mode: item.mode });
    }
  });
  return out;
}

describe("planBundleObjects", () => {
  it("ships every file at its relative path, splits at the capacity, binary files intact", () => {
    const binary = Buffer.from([0xff, 0xfe, 0, 1, 2]);
    const files = [
      file(".claude/skills/paperclip/SKILL.md", "a".repeat(600)),
      file(".claude/skills/paperclip/run.sh", "#!/bin/sh\n", 0o755),
      file("instructions/AGENTS.md", "b".repeat(600)),
      file("instructions/logo.bin", binary),
    ];
    const objects = planBundleObjects("d".repeat(64), files, 1000);
    expect(objects.configMaps.length).toBe(2);
    for (const cm of objects.configMaps) {
      expect(cm.immutable).toBe(true);
      expect(cm.metadata?.name).toMatch(/^paperclip-bundle-[0-9a-f]{40}-\d$/);
      const size = [...Object.values(cm.data ?? {}), ...Object.values(cm.binaryData ?? {})].join("").length;
      expect(size).toBeLessThanOrEqual(1000 * 2);
      expect(cm.metadata?.annotations?.[BUNDLE_ANNOTATIONS.digest]).toBe("d".repeat(64));
    }
    const shipped = projected(objects);
    expect([...shipped.keys()].sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files) expect(shipped.get(f.path)?.bytes.equals(f.content)).toBe(true);
    expect(shipped.get(".claude/skills/paperclip/run.sh")?.mode).toBe(0o555);
    expect(shipped.get("instructions/AGENTS.md")?.mode).toBe(0o444);
    expect(objects.configMaps[1]?.binaryData).toBeDefined();
  });

  it("names objects by content: same files the same names, other content other names", () => {
    const a = planBundleObjects("1".repeat(64), [file("x.md", "x")]);
    expect(planBundleObjects("1".repeat(64), [file("x.md", "x")]).configMaps).toEqual(a.configMaps);
    expect(planBundleObjects("2".repeat(64), [file("x.md", "x")]).key).not.toBe(a.key);
  });

  it("refuses a file larger than one object", () => {
    expect(() => planBundleObjects("1".repeat(64), [file("big.md", "x".repeat(11))], 10)).toThrow(
      /at most 10/,
    );
  });
});

function fakeCluster(objects: V1ConfigMap[], jobs: V1Job[]) {
  const deleted: string[] = [];
  const cluster = {
    namespace: `ns-${Math.random()}`,
    listConfigMaps: async (selector: string) => {
      expect(selector).toBe(BUNDLE_SELECTOR);
      return objects;
    },
    listJobs: async () => jobs,
    deleteConfigMapIfUnchanged: async (name: string, rv: string) => {
      expect(rv).toBe(`rv-${name}`);
      deleted.push(name);
      return "deleted" as const;
    },
  } as unknown as ClusterContext;
  return { cluster, deleted };
}

const cm = (name: string, lastUsed: string): V1ConfigMap => ({
  metadata: { name, resourceVersion: `rv-${name}`, annotations: { [BUNDLE_ANNOTATIONS.lastUsed]: lastUsed } },
});
const jobMounting = (name: string, finished: boolean): V1Job => ({
  metadata: { name: `job-${name}` },
  spec: {
    template: {
      spec: {
        containers: [],
        volumes: [{ name: "run-bundle", projected: { sources: [{ configMap: { name } }] } }],
      },
    },
  },
  status: finished ? { conditions: [{ type: "Complete", status: "True" }] } : {},
});

describe("collectUnusedBundles", () => {
  const now = Date.parse("2026-01-02T00:00:00Z");
  const log = new RunLog(async () => {});

  it("deletes only objects that no unfinished Job mounts and nobody used for the idle bound", async () => {
    const old = "2026-01-01T00:00:00Z";
    const fresh = "2026-01-01T23:59:00Z";
    const { cluster, deleted } = fakeCluster(
      [cm("idle", old), cm("running", old), cm("fresh", fresh), cm("done", old)],
      [jobMounting("running", false), jobMounting("done", true)],
    );
    expect(await collectUnusedBundles(cluster, log, { now, idleSec: 3600 })).toEqual(["idle", "done"]);
    expect(deleted).toEqual(["idle", "done"]);
    expect(bundleObjectsOf(jobMounting("x", false))).toEqual(["x"]);
  });

  it("collects at most once per namespace per interval unless forced, and never fails the run", async () => {
    const { cluster } = fakeCluster([cm("idle", "2026-01-01T00:00:00Z")], []);
    expect(await collectUnusedBundles(cluster, log, { now })).toEqual(["idle"]);
    expect(await collectUnusedBundles(cluster, log, { now: now + 1000 })).toEqual([]);
    expect(await collectUnusedBundles(cluster, log, { now: now + 1000, force: true })).toEqual(["idle"]);
    const broken = {
      namespace: "x",
      listConfigMaps: async () => {
        throw new Error("403 Forbidden");
      },
    } as unknown as ClusterContext;
    await expect(collectUnusedBundles(broken, log, { now })).resolves.toEqual([]);
  });
});
