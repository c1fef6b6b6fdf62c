/** `sandbox up | down | status | logs`: the cluster's lifecycle (see README.md). */
import { spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { defineCommand } from "citty";
import { Listr } from "listr2";
import {
  bringDown,
  bringUp,
  type ClusterProvider,
  isClean,
  type ProviderName,
  resolveLocalConfig,
  runSteps,
  SandboxError,
  type Step,
  selectProvider,
  statePaths,
} from "../cluster/index.js";
import { readDaemon, startDaemon, stopDaemon } from "../cluster/processes.js";
import { strict } from "./strict.js";

const providerArgs = {
  provider: {
    type: "string",
    description: "local | kind | kubeconfig | auto (default: kind when a Docker engine answers, else local)",
  },
  kubeconfig: { type: "string", description: "kubeconfig of an existing cluster (kubeconfig provider)" },
} as const;

function pickProvider(args: { provider?: string | undefined; kubeconfig?: string | undefined }) {
  return selectProvider({
    ...(args.provider ? { provider: args.provider as ProviderName } : {}),
    ...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}),
  });
}

/** Renders steps with listr2: one line per step, the latest progress line under the running one. */
function listrRunner<C extends object>(steps: Step<C>[], ctx: C): Promise<C> {
  const listr = new Listr<C>(
    steps.map((step) => ({
      title: step.title,
      enabled: step.enabled ? (c: C) => step.enabled!(c) : true,
      task: async (c: C, task) => {
        await step.run(c, (line) => {
          task.output = line;
        });
      },
    })),
    { concurrent: false, exitOnError: true, registerSignalListeners: false, rendererOptions: {} },
  );
  return listr.run(ctx);
}

/**
 * Ctrl-C (or SIGTERM) while `up` runs: stop whatever was started, then exit 130. Repeated signals (a terminal
 * and tsx both deliver one) are ignored while the teardown runs, so it is never cut short.
 */
function tearDownOnInterrupt(provider: ClusterProvider): () => void {
  let tearingDown = false;
  const handler = () => {
    if (tearingDown) return;
    tearingDown = true;
    process.stderr.write("\ninterrupted: tearing the sandbox down…\n");
    runSteps(provider.downSteps(), {}, (l: string) => process.stderr.write(`${l}\n`))
      .catch((e: unknown) => process.stderr.write(`teardown failed: ${String(e)}\n`))
      .finally(() => process.exit(130));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    if (tearingDown) return; // keep ignoring signals until the teardown has exited the process
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

export const up = defineCommand({
  meta: { name: "up", description: "Start (or reuse) the cluster and write its kubeconfig" },
  plugins: [strict],
  args: {
    ...providerArgs,
    json: {
      type: "boolean",
      default: false,
      description:
        "plain progress on stderr, then one JSON line on stdout (provider, kubeconfig, pod host, …)",
    },
  },
  async run({ args }) {
    const provider = await pickProvider(args);
    const started = Date.now();
    const release = provider.name === "local" ? tearDownOnInterrupt(provider) : () => {};
    const log = (l: string) => process.stderr.write(`${l}\n`);
    try {
      const plain = <C extends object>(steps: Step<C>[], c: C) => runSteps(steps, c, log);
      const ctx = await bringUp(provider, args.json ? plain : listrRunner, log);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (!args.json) {
        console.log(`${ctx.reused ? "reused" : "started"} ${provider.name} cluster in ${secs} s`);
        console.log(`export KUBECONFIG=${provider.kubeconfigPath()}`);
        return;
      }
      log(`${ctx.reused ? "reused" : "started"} ${provider.name} cluster in ${secs} s`);
      const s = await provider.status();
      const out = {
        provider: provider.name,
        kubeconfig: provider.kubeconfigPath(),
        reused: ctx.reused,
        nodeReady: s.nodeReady,
        ...(s.hostAddressForPods ? { hostAddressForPods: s.hostAddressForPods } : {}),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } finally {
      release();
    }
  },
});

/** For fault-injection tests (k8s-runtime's apiserver-restart suite): stop and start one recorded daemon. */
export const restart = defineCommand({
  meta: {
    name: "restart",
    description: "Stop one component and start it again exactly as `up` did (local provider)",
  },
  plugins: [strict],
  args: {
    component: { type: "positional", required: true, description: "e.g. kube-apiserver" },
  },
  async run({ args }) {
    const paths = statePaths(resolveLocalConfig());
    const record = await readDaemon(paths.run, args.component);
    if (!record) {
      throw new SandboxError(
        "sandbox_config_invalid",
        `component: no ${args.component} record in ${paths.run}; is the local provider up?`,
        { field: "component" },
      );
    }
    await stopDaemon(paths.run, record, 10_000);
    const [command = "", ...rest] = record.command;
    const started = await startDaemon(paths.run, paths.logs, { name: record.name, command, args: rest });
    console.log(`${started.name} restarted (pid ${started.pid})`);
  },
});

export const down = defineCommand({
  meta: { name: "down", description: "Stop the cluster and remove every process, mount and device it made" },
  plugins: [strict],
  args: providerArgs,
  async run({ args }) {
    const provider = await pickProvider(args);
    await bringDown(provider, listrRunner);
    const status = await provider.status();
    if (status.leftovers && !isClean(status.leftovers)) {
      console.error(`left behind: ${JSON.stringify(status.leftovers, null, 2)}`);
      process.exitCode = 1;
      return;
    }
    console.log(`${provider.name} cluster down; nothing left behind`);
  },
});

export const status = defineCommand({
  meta: { name: "status", description: "Component health, node readiness and leftovers check" },
  plugins: [strict],
  args: { ...providerArgs, json: { type: "boolean", description: "machine-readable output" } },
  async run({ args }) {
    const provider = await pickProvider(args);
    const s = await provider.status();
    if (args.json) {
      console.log(JSON.stringify(s, null, 2));
      return;
    }
    console.log(`provider:   ${s.provider}`);
    console.log(`running:    ${s.running}`);
    console.log(`node Ready: ${s.nodeReady}`);
    console.log(`kubeconfig: ${s.kubeconfigPath}`);
    if (s.hostAddressForPods) console.log(`pods reach this host at ${s.hostAddressForPods}`);
    for (const c of s.components) {
      console.log(
        `  ${c.running ? "✔" : c.note ? "–" : "✖"} ${c.name}${c.pid ? ` (pid ${c.pid})` : ""}${c.log ? `  log: ${c.log}` : ""}${c.note ? `  (${c.note})` : ""}`,
      );
    }
    if (s.leftovers) {
      const l = s.leftovers;
      console.log(
        `host footprint: ${l.processes.length} process(es), ${l.mounts.length} mount(s), ${l.links.length} network device(s), ${l.cgroups.length} cgroup dir(s), ${l.iptables.length} kube-proxy iptables chain(s)`,
      );
    }
  },
});

export const logs = defineCommand({
  meta: { name: "logs", description: "Show a component's log (local provider)" },
  plugins: [strict],
  args: {
    component: {
      type: "positional",
      required: false,
      description:
        "etcd | kube-apiserver | kube-controller-manager | kube-scheduler | containerd | kubelet | apiserver-bridge | coredns | kube-proxy",
    },
    follow: { type: "boolean", alias: "f", description: "keep printing new lines", default: false },
  },
  async run({ args }) {
    const paths = statePaths(resolveLocalConfig());
    const name = args.component;
    if (!name) {
      console.log(`logs are in ${paths.logs}/<component>.log`);
      return;
    }
    const file = `${paths.logs}/${name}.log`;
    if (!existsSync(file)) {
      throw new SandboxError("sandbox_config_invalid", `component: no log ${file}`, { field: "component" });
    }
    if (args.follow) {
      spawn("tail", ["-n", "+1", "-F", file], { stdio: "inherit" });
      return;
    }
    createReadStream(file).pipe(process.stdout);
  },
});
