import { SHARED_FIELDS } from "@paperclip-k8s/run-core";
import { describe, expect, it } from "vitest";
import { configErrorOf, issuesOf } from "./expect-issues.js";
import { CLAUDE_K8S_FIELDS, getConfigSchema } from "./fields.js";
import { parseConfig } from "./parse.js";

/** Issue 13, finding 3: values that were accepted silently. Each case failed before the config moved to run-core. */

describe("structured pod fields are checked against their Kubernetes shape", () => {
  it("rejects affinity: {nodeAffinity: 'garbage'} (it used to become {})", () => {
    expect(issuesOf({ affinity: { nodeAffinity: "garbage" } })).toEqual(["affinity.nodeAffinity"]);
  });

  it.each([
    [{ nodeAfinity: {} }, "affinity.nodeAfinity"],
    [{ nodeAffinity: { requiredDuringScheduling: {} } }, "affinity.nodeAffinity.requiredDuringScheduling"],
    [
      { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
      "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
    ],
    [
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "Near", values: ["a"] }] }],
          },
        },
      },
      "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator",
    ],
    [
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 101, preference: { matchExpressions: [{ key: "a", operator: "Exists" }] } },
          ],
        },
      },
      "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
    ],
    [
      { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } },
      "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
    ],
    [
      {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: "zone", labelSelector: { matchExpressions: [{ key: "app", operator: "In" }] } },
          ],
        },
      },
      "affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values",
    ],
  ])("rejects affinity %j naming %s", (affinity, field) => {
    expect(issuesOf({ affinity })).toContain(field);
  });

  it("accepts a real V1Affinity, as an object or as JSON text", () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["agents"] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { matchExpressions: [{ key: "cpu", operator: "Gt", values: ["4"] }] } },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 50,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: { "paperclip.ai/adapter-type": "claude_k8s" } },
            },
          },
        ],
      },
    };
    expect(parseConfig({ affinity }).config.pod.affinity).toEqual(affinity);
    expect(parseConfig({ affinity: JSON.stringify(affinity) }).config.pod.affinity).toEqual(affinity);
  });

  it.each([
    [[{ key: "a", operator: "Sometimes" }], "tolerations[0].operator"],
    [[{ key: "a", operator: "Exists", effect: "NoRun" }], "tolerations[0].effect"],
    [[{ keys: "a", operator: "Exists" }], "tolerations[0].keys"],
    [[{ operator: "Exists", value: "x" }], "tolerations[0].value"],
    [[{ operator: "Equal", value: "x" }], "tolerations[0].operator"],
    [
      [{ key: "a", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 30 }],
      "tolerations[0].effect",
    ],
    [["a"], "tolerations[0]"],
    [{ key: "a" }, "tolerations"],
  ])("rejects tolerations %j naming %s", (tolerations, field) => {
    expect(issuesOf({ tolerations })).toContain(field);
  });

  it("accepts real V1Tolerations", () => {
    const tolerations = [
      { operator: "Exists" },
      { key: "gpu", operator: "Equal", value: "true", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 },
    ];
    expect(parseConfig({ tolerations }).config.pod.tolerations).toEqual(tolerations);
  });
});

describe("unknown and misspelled keys", () => {
  it("rejects timeoutSecs naming the nearest known key (the run used to have no timeout)", () => {
    expect(issuesOf({ timeoutSecs: 600 })).toEqual(["timeoutSecs"]);
    expect(configErrorOf({ timeoutSecs: 600 })).toContain('did you mean "timeoutSec"');
    expect(configErrorOf({ namespce: "a" })).toContain('did you mean "namespace"');
  });

  it("knows the keys Paperclip adds, ignores Paperclip's command, keeps the legacy args alias", () => {
    const { config } = parseConfig({
      command: "claude",
      args: ["--verbose"],
      paperclipSkillSync: { desiredSkills: [] },
      instructionsBundleMode: "managed",
      instructionsRootPath: "/paperclip/instructions",
      instructionsEntryFile: "AGENTS.md",
    });
    expect(config.claude.extraArgs).toEqual(["--verbose"]);
  });
});

describe("values the shared rules now refuse", () => {
  it.each([
    [{ effort: "turbo" }, "effort"],
    [{ paperclipApiUrl: "http://paperclip:3100/\nX-Injected: 1" }, "paperclipApiUrl"],
    [{ env: { constructor: "x" } }, "env.constructor"],
    [{ env: { FOO: "a\u0000b" } }, "env.FOO"],
    [{ model: "m".repeat(1024 * 1024) }, "model"],
    [{ instructionsFilePath: "relative/AGENTS.md" }, "instructionsFilePath"],
    [{ labels: { team: "a\u0000" } }, "labels.team"],
    [{ annotations: { note: "a\u0000b" } }, "annotations.note"],
  ])("rejects %j naming %s", (raw, field) => {
    expect(issuesOf(raw)).toContain(field);
  });

  it("uses run-core's rule, unchanged, for every key claude_cli shares", () => {
    for (const shared of SHARED_FIELDS) {
      const own = CLAUDE_K8S_FIELDS.find((d) => d.key === shared.key);
      expect(own?.schema, shared.key).toBe(shared.schema);
      expect(own?.default, shared.key).toEqual(shared.default);
      expect(own?.aliases, shared.key).toEqual(shared.aliases);
    }
  });

  it("accepts numbers and toggles written as text, as claude_cli does", () => {
    const { config } = parseConfig({
      maxTurnsPerRun: "5",
      dangerouslySkipPermissions: "false",
      keepaliveSec: "60",
    });
    expect(config.claude).toMatchObject({ maxTurnsPerRun: 5, dangerouslySkipPermissions: false });
    expect(config.run.keepaliveSec).toBe(60);
  });
});

describe("warnings", () => {
  it("warns (without failing) about sensitiveEnvNames that match no variable of env or inheritEnv", () => {
    const { warnings } = parseConfig({
      env: { MY_URL: "https://x" },
      inheritEnv: ["GITHUB_TOKEN"],
      sensitiveEnvNames: ["MY_URL", "GITHUB_TOKEN", "MY_TYPO"],
    });
    expect(warnings).toEqual([expect.stringContaining("MY_TYPO")]);
    expect(warnings.join("")).not.toContain("MY_URL");
  });
});

describe("Paperclip's form", () => {
  it("shows the essentials first and no object default as [object Object]", () => {
    const fields = getConfigSchema().fields;
    expect(fields.slice(0, 4).map((f) => f.key)).toEqual([
      "kubeconfig",
      "namespace",
      "image",
      "envValueFrom",
    ]);
    expect(fields.map((f) => f.key)).toEqual(
      CLAUDE_K8S_FIELDS.filter((d) => d.form.omitFromForm === undefined).map((d) => d.key),
    );
    expect(fields.filter((f) => String(f.default).includes("[object"))).toEqual([]);
    expect(JSON.parse(String(fields.find((f) => f.key === "resources")?.default))).toEqual({
      requests: { cpu: "250m", memory: "1536Mi" },
      limits: { memory: "8Gi" },
    });
  });
});
