import { SCENARIOS } from "@paperclip-k8s/testing";
import { defineCommand } from "citty";
import { strict } from "./strict.js";

/** `sandbox demo` (`pnpm demo`): the main demo, see ../demo.ts. */
export const demoCommand = defineCommand({
  meta: {
    name: "demo",
    description: "One claude_k8s run on the sandbox cluster against the mock Anthropic API",
  },
  plugins: [strict],
  args: {
    scenario: {
      type: "enum",
      options: [...SCENARIOS],
      default: "success-tools",
      description: "mock Anthropic scenario",
    },
    cli: { type: "string", default: "2.1.330", description: "claude CLI version (image tag)" },
  },
  async run({ args }) {
    const { runDemo } = await import("../demo.js");
    await runDemo({ scenario: args.scenario, cliVersion: args.cli });
  },
});
