import { defineCommand } from "citty";
import { resolveLocalConfig } from "../cluster/config.js";
import { loadKubeConfig } from "../cluster/kube.js";
import { SCENARIO_NAMES, SCENARIOS } from "../scenarios/definitions.js";
import { deleteTestNamespace, runScenario } from "../scenarios/run.js";
import { strict } from "./strict.js";

/** `pnpm sandbox run <scenario>`: produce one failure scenario for real and print what the cluster showed. */
export const runCommand = defineCommand({
  meta: { name: "run", description: `Produce a scenario for real: ${SCENARIO_NAMES.join(", ")}, or "all"` },
  plugins: [strict],
  args: {
    scenario: { type: "positional", required: true, description: "scenario name, or all" },
    kubeconfig: { type: "string", description: "default: the sandbox kubeconfig" },
    cleanup: { type: "boolean", description: "delete the scenario namespace afterwards", default: false },
  },
  async run({ args }) {
    const kc = loadKubeConfig(args.kubeconfig ?? resolveLocalConfig().kubeconfigPath);
    const names = args.scenario === "all" ? [...SCENARIO_NAMES] : [args.scenario];
    let failed = 0;
    for (const name of names) {
      const started = Date.now();
      try {
        const r = await runScenario(kc, name);
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        const code = r.observation.exitCode === undefined ? "" : ` exit=${r.observation.exitCode}`;
        console.log(`✔ ${name}: ${r.observation.reason}${code} (${secs} s, namespace ${r.namespace})`);
        console.log(`    ${SCENARIOS[r.scenario].description}`);
        if (r.observation.message) console.log(`    ${r.observation.message.split("\n")[0]}`);
        if (args.cleanup) await deleteTestNamespace(kc, r.namespace);
      } catch (err) {
        failed++;
        console.error(`✖ ${name}: ${(err as Error).message}`);
      }
    }
    if (failed > 0) process.exitCode = 1;
  },
});
