import { formProblems } from "@paperclip-k8s/testing";
import { describe, expect, it } from "vitest";
import { getConfigSchema } from "./fields.js";

describe("claude_k8s in Paperclip's agent form", () => {
  const fields = getConfigSchema().fields;

  it("adds no control Paperclip renders itself and shows no value that is not in effect", () => {
    expect(formProblems(fields)).toEqual([]);
  });

  it("leads with the essentials, each label naming its group (Paperclip lists fields flat)", () => {
    const essentials = fields.filter((f) => f.label.startsWith("Essentials · ")).map((f) => f.key);
    expect(essentials).toEqual([
      "kubeconfig",
      "namespace",
      "image",
      "envValueFrom",
      "inheritEnv",
      "paperclipApiUrl",
      "probeApiUrl",
      "workspaceMode",
      "workspaceClaimName",
    ]);
    expect(fields.slice(0, essentials.length).map((f) => f.key)).toEqual(essentials);
    for (const f of fields) expect(f.label).toMatch(new RegExp(`^${f.group} · `));
  });

  it("says in each hint what an unset cluster field means in and out of a cluster", () => {
    const hint = (key: string) => fields.find((f) => f.key === key)?.hint ?? "";
    expect(hint("image")).toMatch(/Required when Paperclip does not run in the cluster/);
    expect(hint("image")).toMatch(/unset in a cluster: the image of the Paperclip container/);
    expect(hint("kubeconfig")).toMatch(/Required when Paperclip does not run in the cluster/);
    expect(hint("namespace")).toMatch(/in a cluster, the Paperclip pod's; outside, the kubeconfig context's/);
    expect(hint("envValueFrom")).toMatch(/Claude credential/);
  });
});
