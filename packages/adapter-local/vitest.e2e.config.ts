import { defineProject } from "vitest/config";

// End-to-end suites: the real claude CLIs from npm against the mock Anthropic API (see src/e2e/harness.ts).
export default defineProject({
  test: {
    include: ["src/**/*.e2e.test.ts"],
    testTimeout: 180_000,
    // installing a CLI version from npm on a cold cache
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
