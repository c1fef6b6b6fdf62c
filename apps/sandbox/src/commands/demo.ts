import { SCENARIOS } from "@paperclip-k8s/testing";
import { defineCommand } from "citty";
import { strict } from "./strict.js";

/** `sandbox demo` (`pnpm demo`): the main demo (Paperclip in the cluster, see ../demo-paperclip.ts) or, with
 * `--adapter-only`, one adapter run without Paperclip (../demo.ts). */
export const demoCommand = defineCommand({
  meta: {
    name: "demo",
    description:
      "Paperclip in the sandbox cluster with the adapter from the local registry: hire a claude_k8s agent, assign it an issue, show its Job's transcript",
  },
  plugins: [strict],
  args: {
    "adapter-only": {
      type: "boolean",
      default: false,
      description: "the lighter demo: one claude_k8s run driven by the adapter directly, no Paperclip",
    },
    keep: { type: "boolean", default: false, description: "keep Paperclip running in the demo's namespace" },
    scenario: {
      type: "enum",
      options: [...SCENARIOS],
      default: "success-tools",
      description: "mock Anthropic scenario (--adapter-only)",
    },
    cli: { type: "string", default: "2.1.330", description: "claude CLI version (image tag)" },
  },
  async run({ args }) {
    if (args["adapter-only"]) {
      const { runDemo } = await import("../demo.js");
      await runDemo({ scenario: args.scenario, cliVersion: args.cli });
      return;
    }
    const { runPaperclipDemo } = await import("../demo-paperclip.js");
    await runPaperclipDemo({ cliVersion: args.cli, keep: args.keep });
  },
});
