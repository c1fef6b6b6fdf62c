import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The sandbox's own e2e suites: a real cluster (started or reused by the global setup), real claude CLI images,
// real failure scenarios, and a second throwaway cluster that proves `down` leaves nothing behind.
export default defineConfig({
  test: {
    include: ["src/**/*.e2e.test.ts"],
    // The Paperclip suites have their own config (vitest.paperclip.config.ts).
    exclude: ["src/paperclip/**", "**/node_modules/**"],
    globalSetup: [fileURLToPath(new URL("./src/e2e-setup.ts", import.meta.url))],
    fileParallelism: false,
    testTimeout: 300_000,
    // A fresh machine builds Kubernetes from source and the images in the global setup: allow for it.
    hookTimeout: 1_800_000,
    teardownTimeout: 120_000,
  },
});
