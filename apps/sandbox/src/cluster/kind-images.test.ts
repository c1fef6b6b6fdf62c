import { describe, expect, it } from "vitest";
import { annotateIndex, IMAGE_NAME_ANNOTATION, kindArchivePath } from "./kind-images.js";

describe("kind load archives", () => {
  it("names every manifest with containerd's annotation, keeping the OCI tag", () => {
    const index = {
      schemaVersion: 2,
      manifests: [{ digest: "sha256:a", annotations: { "org.opencontainers.image.ref.name": "1" } }],
    };
    const out = JSON.parse(annotateIndex(JSON.stringify(index), "localhost/paperclip-tools:1"));
    expect(out.manifests[0].annotations).toEqual({
      "org.opencontainers.image.ref.name": "1",
      [IMAGE_NAME_ANNOTATION]: "localhost/paperclip-tools:1",
    });
    expect(out.schemaVersion).toBe(2);
  });

  it("refuses an index without manifests", () => {
    expect(() => annotateIndex('{"manifests":[]}', "x:1")).toThrow(/without manifests/);
  });

  it("keeps the kind copy next to the cache's archives", () => {
    expect(kindArchivePath("/c/images/a-0123.tar")).toBe("/c/images/kind/a-0123.tar");
  });
});
