import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const pkg = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // Tests run against the sibling package's sources, never a dist/ another build is recreating.
    alias: [{ find: /^@paperclip-k8s\/claude-parse$/, replacement: pkg("claude-parse/src/index.ts") }],
  },
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["src/**/*.e2e.test.ts"],
  },
});
