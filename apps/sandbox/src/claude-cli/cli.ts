/**
 * Install (if needed) a pinned claude CLI and print the path of its runnable entry:
 *   tsx apps/sandbox/src/claude-cli/cli.ts 2.1.330        -> /root/.cache/paperclip-k8s/claude-code/2.1.330/...
 *   tsx apps/sandbox/src/claude-cli/cli.ts --all          -> one "<version> <bin>" line per default version
 */
import { ensureClaudeCli } from "./install.js";
import { CLAUDE_CLI_VERSIONS, ClaudeCliError } from "./resolve.js";

async function main(argv: readonly string[]): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (argv.length === 1 && argv[0] === "--all") {
    for (const version of CLAUDE_CLI_VERSIONS) {
      const cli = await ensureClaudeCli(version, { log });
      process.stdout.write(`${cli.version} ${cli.bin}\n`);
    }
    return;
  }
  const version = argv[0];
  if (argv.length !== 1 || version === undefined || version.startsWith("-")) {
    throw new ClaudeCliError("version", "usage: cli.ts <version> | --all");
  }
  const cli = await ensureClaudeCli(version, { log });
  process.stdout.write(`${cli.bin}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ClaudeCliError && err.field === "version" ? 2 : 1);
});
