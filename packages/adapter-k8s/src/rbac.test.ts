import { readFileSync } from "node:fs";
import { loadAllYaml } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { REQUIRED_ACCESS } from "./rbac.js";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe("deploy/rbac.yaml", () => {
  const docs = loadAllYaml(readFileSync(new URL("../deploy/rbac.yaml", import.meta.url), "utf8")) as {
    kind: string;
    metadata: { name: string };
    rules?: Rule[];
  }[];
  const role = docs.find((d) => d.kind === "Role" && d.metadata.name === "paperclip-claude-k8s");
  const granted = new Set(
    (role?.rules ?? []).flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`))),
    ),
  );
  const needed = new Set(
    REQUIRED_ACCESS.map(
      (a) => `${a.verb} ${a.group}/${a.resource}${a.subresource ? `/${a.subresource}` : ""}`,
    ),
  );

  it("grants every permission the adapter uses", () => {
    expect([...needed].filter((n) => !granted.has(n))).toEqual([]);
  });

  it("grants nothing the adapter does not use (least privilege)", () => {
    expect([...granted].filter((g) => !needed.has(g))).toEqual([]);
    expect(granted.size).toBeGreaterThan(10);
  });

  it("binds the Role", () => {
    expect(docs.some((d) => d.kind === "RoleBinding" && d.metadata.name === "paperclip-claude-k8s")).toBe(
      true,
    );
  });
});
