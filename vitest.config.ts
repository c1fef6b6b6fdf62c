import { defineConfig } from "vitest/config";

// One merged run over every package's colocated unit tests (used for coverage and the CI report).
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts", "apps/*/src/**/*.ts"],
      exclude: ["**/*.test.ts", "**/*.e2e.test.ts", "**/*.bench.ts"],
      reporter: ["text-summary", "json-summary"],
    },
  },
});
