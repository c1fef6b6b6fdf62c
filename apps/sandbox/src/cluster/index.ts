import { resolve } from "node:path";
import { type LocalClusterConfig, resolveLocalConfig } from "./config.js";
import { SandboxError } from "./errors.js";
import { run } from "./exec.js";
import { KindProvider } from "./kind-provider.js";
import { KubeconfigProvider } from "./kubeconfig-provider.js";
import { LocalProvider } from "./local-provider.js";
import {
  type ClusterProvider,
  type ProviderName,
  runSteps,
  type StepLog,
  type UpContext,
} from "./provider.js";

export { type LocalClusterConfig, resolveLocalConfig, statePaths } from "./config.js";
export { SandboxError, type SandboxErrorCode } from "./errors.js";
export { KIND_NODE_IMAGE, KindProvider } from "./kind-provider.js";
export { KubeconfigProvider } from "./kubeconfig-provider.js";
export { LocalProvider } from "./local-provider.js";
export type { ClusterProvider, ClusterStatus, ProviderName, Step, StepLog, UpContext } from "./provider.js";
export { runSteps } from "./provider.js";
export {
  grantNamespaceAccess,
  type NamespaceAccess,
  namespaceAccessManifests,
  serviceAccountKubeconfig,
} from "./rbac.js";
export { findLeftovers, isClean, type Leftovers } from "./teardown.js";

export interface ProviderOptions {
  provider?: ProviderName | "auto";
  /** For the kubeconfig provider. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
}

/** True when a Docker engine answers (not just a docker client on PATH). */
export async function dockerEngineAnswers(): Promise<boolean> {
  const r = await run("docker", ["info", "--format", "{{.ServerVersion}}"], {
    allowFailure: true,
    timeoutMs: 10_000,
  }).catch(() => ({ code: 1 }));
  return r.code === 0;
}

const NAMES: readonly string[] = ["local", "kind", "kubeconfig", "auto"];

/**
 * Picks the provider: explicit option, else SANDBOX_PROVIDER, else `kubeconfig` when SANDBOX_KUBECONFIG is set,
 * else `kind` when a Docker engine answers, else `local`.
 */
export async function selectProvider(options: ProviderOptions = {}): Promise<ClusterProvider> {
  const env = options.env ?? process.env;
  const requested = options.provider ?? (env.SANDBOX_PROVIDER as ProviderName | "auto" | undefined) ?? "auto";
  if (!NAMES.includes(requested)) {
    throw new SandboxError(
      "sandbox_config_invalid",
      `provider: "${requested}" is not one of local, kind, kubeconfig, auto`,
      { field: "provider" },
    );
  }
  const kubeconfig = options.kubeconfig ?? env.SANDBOX_KUBECONFIG;
  let name: ProviderName;
  if (requested !== "auto") name = requested;
  else if (kubeconfig) name = "kubeconfig";
  else name = (await dockerEngineAnswers()) ? "kind" : "local";
  const config = resolveLocalConfig(env);
  switch (name) {
    case "local":
      return new LocalProvider(config);
    case "kubeconfig":
      if (!kubeconfig) {
        throw new SandboxError(
          "sandbox_config_invalid",
          "kubeconfig provider: pass --kubeconfig or set SANDBOX_KUBECONFIG",
          {
            field: "kubeconfig",
          },
        );
      }
      return new KubeconfigProvider(resolve(kubeconfig));
    case "kind":
      return kindProvider(config, env);
  }
}

/**
 * SANDBOX_KIND_NODE_IMAGE: unset = the node image the sandbox builds offline; `upstream` = the pinned kindest/node
 * (needs a registry); any other value = that image reference. SANDBOX_DOCKER_HOST: an engine to use instead of the
 * default one or the sandbox's own.
 */
function kindProvider(config: LocalClusterConfig, env: NodeJS.ProcessEnv): KindProvider {
  return new KindProvider({
    config,
    ...(env.SANDBOX_KIND_NODE_IMAGE ? { nodeImage: env.SANDBOX_KIND_NODE_IMAGE } : {}),
    ...(env.SANDBOX_DOCKER_HOST ? { dockerHost: env.SANDBOX_DOCKER_HOST } : {}),
  });
}

/** `up` with the guarantees the CLI and the e2e setup share: exclusive, and torn down again if it fails. */
export async function bringUp(
  provider: ClusterProvider,
  runner: (steps: ReturnType<ClusterProvider["upSteps"]>, ctx: UpContext) => Promise<unknown> = (
    steps,
    ctx,
  ) => runSteps(steps, ctx),
  log: StepLog = () => {},
): Promise<UpContext> {
  return provider.exclusive(async () => {
    const ctx: UpContext = { reused: false };
    try {
      await runner(provider.upSteps(), ctx);
      return ctx;
    } catch (err) {
      // A refusal before anything was started (instance in use) has nothing of ours to tear down.
      const refused = err instanceof SandboxError && err.code === "sandbox_busy";
      // A cluster that was already running when this `up` began is someone's: a failing later step (an add-on)
      // must not take it down with it.
      if (provider.name === "local" && !refused && !ctx.reused) {
        log("up failed: tearing down what was started");
        await runSteps(provider.downSteps(), {}, log).catch((e: unknown) =>
          log(`teardown also failed: ${String(e)}`),
        );
      }
      throw err;
    }
  });
}

export async function bringDown(
  provider: ClusterProvider,
  runner: (steps: ReturnType<ClusterProvider["downSteps"]>, ctx: object) => Promise<unknown> = (steps, ctx) =>
    runSteps(steps, ctx),
): Promise<void> {
  await provider.exclusive(() => runner(provider.downSteps(), {}));
}
