import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // The README example imports the package by name; tests run it against the sources.
    alias: [
      { find: /^@paperclip-k8s\/claude-parse\/ui-parser$/, replacement: src("ui-parser/index.ts") },
      { find: /^@paperclip-k8s\/claude-parse$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["src/**/*.e2e.test.ts"],
  },
});
