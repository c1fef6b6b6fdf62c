export * from "./claude-cli/index.js";
export { repoRoot, type SandboxUp, sandboxCli, sandboxKubeconfigPath, sandboxUp } from "./cluster.js";
export * from "./mock-anthropic/index.js";
export { cleanNpmEnv } from "./npm-env.js";
export {
  type FormField,
  formProblems,
  PAPERCLIP_CONTROLS_WHEN_SET,
  PAPERCLIP_OWN_CONTROLS,
  PAPERCLIP_REDACTED_KEY,
  shownValue,
} from "./paperclip-form.js";
export {
  type KillTarget,
  killByEnv,
  type StopOptions,
  signalTarget,
  stopTarget,
  targetAlive,
} from "./process-tree.js";
