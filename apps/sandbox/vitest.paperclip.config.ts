import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The Paperclip suite: the real paperclipai server (Node 24, embedded Postgres) with our adapters installed.
// The sandbox's global setup (local Kubernetes cluster, images) is used when it exists; the claude_k8s tests
// report it as missing otherwise instead of passing.
const sandboxSetup = fileURLToPath(new URL("./src/e2e-setup.ts", import.meta.url));

export default defineConfig({
  test: {
    include: ["src/paperclip/**/*.e2e.test.ts"],
    globalSetup: existsSync(sandboxSetup) ? [sandboxSetup] : [],
    fileParallelism: false,
    // A cold `npm install paperclipai` takes minutes; real claude runs on a loaded 2-core machine are slow.
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    teardownTimeout: 120_000,
  },
});
