/**
 * vitest global setup for the packages' e2e suites (`globalSetup: ["@paperclip-k8s/testing/e2e-setup"]`): starts
 * the sandbox cluster or reuses the running one through `sandbox up --json` (the sandbox CLI, run with this Node), and exports
 *   KUBECONFIG          the admin kubeconfig
 *   SANDBOX_POD_HOST    an address of this machine that pods reach (bind the mock Anthropic API there)
 *   SANDBOX_PROVIDER    the provider in use
 * The cluster is left running for the next suite; SANDBOX_E2E_TEARDOWN=1 runs `sandbox down` at the end if this
 * setup started it.
 */
import { sandboxCli, sandboxUp } from "./cluster.js";

interface ProvideContext {
  provide?: (key: string, value: unknown) => void;
}

let startedHere = false;

export async function setup(ctx: ProvideContext = {}): Promise<void> {
  const started = Date.now();
  const up = await sandboxUp();
  if (!up.nodeReady) throw new Error(`sandbox: ${up.provider} cluster is up but its node is not Ready`);
  startedHere = !up.reused;
  process.env.KUBECONFIG = up.kubeconfig;
  process.env.SANDBOX_PROVIDER = up.provider;
  if (up.hostAddressForPods) process.env.SANDBOX_POD_HOST = up.hostAddressForPods;
  process.stderr.write(
    `[sandbox] ${up.reused ? "reusing" : "started"} ${up.provider} cluster in ${((Date.now() - started) / 1000).toFixed(1)} s; KUBECONFIG=${up.kubeconfig}\n`,
  );
  ctx.provide?.("sandboxKubeconfig", up.kubeconfig);
  ctx.provide?.("sandboxPodHost", up.hostAddressForPods ?? "");
}

export async function teardown(): Promise<void> {
  if (!startedHere || process.env.SANDBOX_E2E_TEARDOWN !== "1") return;
  await sandboxCli(["down"]);
}

export default setup;
