/**
 * `sandbox claude-cli <version>` or `sandbox claude-cli --all` (`pnpm --filter @paperclip-k8s/sandbox claude-cli …`):
 * install (if needed) a pinned claude CLI and print the path of its runnable entry, or one "<version> <bin>" line
 * per default version.
 */

import { CLAUDE_CLI_VERSIONS, ClaudeCliError, ensureClaudeCli } from "@paperclip-k8s/testing";
import { defineCommand } from "citty";
import { strict } from "./strict.js";

export const claudeCliCommand = defineCommand({
  meta: { name: "claude-cli", description: "Install a pinned claude CLI and print its path" },
  plugins: [strict],
  args: {
    version: { type: "positional", required: false, description: "exact version, e.g. 2.1.330" },
    all: {
      type: "boolean",
      default: false,
      description: `every default version (${CLAUDE_CLI_VERSIONS.join(", ")})`,
    },
  },
  async run({ args }) {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    if (args.all === (args.version !== undefined)) {
      throw new ClaudeCliError("version", "give exactly one of <version> or --all");
    }
    if (args.version === undefined) {
      for (const version of CLAUDE_CLI_VERSIONS) {
        const cli = await ensureClaudeCli(version, { log });
        process.stdout.write(`${cli.version} ${cli.bin}\n`);
      }
      return;
    }
    const cli = await ensureClaudeCli(args.version, { log });
    process.stdout.write(`${cli.bin}\n`);
  },
});
