/**
 * What the Paperclip suite needs to know about each of our adapters: where its package is, that it is built, and
 * how an agent on it is configured against a given mock Anthropic API.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PaperclipHarnessError } from "./errors.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export interface AdapterPackage {
  /** Paperclip adapter type. */
  readonly type: string;
  /** npm name, for `pnpm --filter`. */
  readonly name: string;
  /** Absolute package directory, installed into Paperclip with `isLocalPath: true`. */
  readonly dir: string;
  /** Built CommonJS UI parser Paperclip must serve byte for byte. */
  readonly uiParserFile: string;
  /** Config fields the adapter's schema must offer. */
  readonly requiredSchemaKeys: readonly string[];
}

function adapterPackage(
  type: string,
  folder: string,
  name: string,
  requiredSchemaKeys: readonly string[],
): AdapterPackage {
  const dir = join(REPO_ROOT, "packages", folder);
  return { type, name, dir, uiParserFile: join(dir, "dist", "ui-parser.cjs"), requiredSchemaKeys };
}

// Keys Paperclip renders its own controls for (model, effort, command, extraArgs, env) are not in our schemas.
export const CLAUDE_CLI = adapterPackage("claude_cli", "adapter-local", "@paperclip-k8s/adapter-local", [
  "cwd",
  "timeoutSec",
  "helloProbeTimeoutSec",
]);

export const CLAUDE_K8S = adapterPackage("claude_k8s", "adapter-k8s", "@paperclip-k8s/adapter-k8s", [
  "kubeconfig",
  "namespace",
  "image",
]);

/** Throws an actionable error when the package has not been built (the suite tests dist/, as Paperclip loads it). */
export async function assertBuilt(pkg: AdapterPackage): Promise<void> {
  for (const file of [join(pkg.dir, "dist", "index.js"), pkg.uiParserFile]) {
    try {
      await access(file);
    } catch {
      throw new PaperclipHarnessError(
        "build",
        `paperclip: ${file} is missing; build the adapter first: pnpm --filter ${pkg.name}... build`,
      );
    }
  }
}
