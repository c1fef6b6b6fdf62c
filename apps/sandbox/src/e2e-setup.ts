/**
 * vitest global setup for e2e suites: starts the sandbox cluster or reuses the running one, and exports
 *   KUBECONFIG          the admin kubeconfig (<repo>/.sandbox/kubeconfig for the local provider)
 *   SANDBOX_POD_HOST    an address of this machine that pods reach (bind the mock Anthropic API there)
 *   SANDBOX_PROVIDER    the provider in use
 * The sandbox's own suites use it in-process; the packages' suites use @paperclip-k8s/testing's e2e-setup, which
 * runs `pnpm sandbox up --json` and exports the same variables (the packages never import this app).
 * The cluster is left running for the next suite; `pnpm sandbox down` (the CI script's last step) stops it.
 * SANDBOX_E2E_TEARDOWN=1 stops it at the end of the run if this setup started it.
 */
import { bringDown, bringUp, selectProvider } from "./cluster/index.js";

interface ProvideContext {
  provide?: (key: string, value: unknown) => void;
}

let startedHere = false;

export async function setup(ctx: ProvideContext = {}): Promise<void> {
  const provider = await selectProvider();
  const log = (line: string) => process.stderr.write(`[sandbox] ${line}\n`);
  const started = Date.now();
  const up = await bringUp(provider, undefined, log);
  startedHere = !up.reused;
  const status = await provider.status();
  if (!status.nodeReady) throw new Error(`sandbox: ${provider.name} cluster is up but its node is not Ready`);
  process.env.KUBECONFIG = provider.kubeconfigPath();
  process.env.SANDBOX_PROVIDER = provider.name;
  if (status.hostAddressForPods) process.env.SANDBOX_POD_HOST = status.hostAddressForPods;
  log(
    `${up.reused ? "reusing" : "started"} ${provider.name} cluster in ${((Date.now() - started) / 1000).toFixed(1)} s; KUBECONFIG=${process.env.KUBECONFIG}`,
  );
  ctx.provide?.("sandboxKubeconfig", provider.kubeconfigPath());
  ctx.provide?.("sandboxPodHost", status.hostAddressForPods ?? "");
}

export async function teardown(): Promise<void> {
  if (!startedHere || process.env.SANDBOX_E2E_TEARDOWN !== "1") return;
  await bringDown(await selectProvider());
}

export default setup;
