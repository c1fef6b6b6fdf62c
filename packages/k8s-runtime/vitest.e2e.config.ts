import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// e2e suites run against the sandbox's real cluster (real apiserver, real kubelet on containerd). The global
// setup (@paperclip-k8s/testing, through `pnpm sandbox up`) starts or reuses the cluster and exports KUBECONFIG.
const sandboxSetup = createRequire(import.meta.url).resolve("@paperclip-k8s/testing/e2e-setup");

export default defineConfig({
  test: {
    include: ["src/**/*.e2e.test.ts"],
    globalSetup: [sandboxSetup],
    // Suites share one small node; running them one by one keeps timings honest on a loaded 2-core machine.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
  },
});
