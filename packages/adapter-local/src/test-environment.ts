import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildClaudeArgs, type RunClassification } from "@paperclip-k8s/claude-parse";
import {
  type AdapterEnvironmentCheck,
  type AdapterEnvironmentTestContext,
  type AdapterEnvironmentTestResult,
  environmentTestResult,
  findClaudeCredential,
  RunError,
  RunErrorCodes,
  resolveInstructionsBundle,
  setNames,
} from "@paperclip-k8s/run-core";
import { ADAPTER_TYPE, type LocalAdapterConfig, parseLocalConfig } from "./config.js";
import { findCommand } from "./host/command.js";
import { claudeHomeOf, inheritedEnv } from "./host/env.js";
import { describeCwdProblem, inspectCwd } from "./host/workspace.js";
import { runAttempt } from "./run/attempt.js";

const VERSION_TIMEOUT_MS = 20_000;
const PROBE_PROMPT = "Respond with hello.";

/**
 * Paperclip's "Test environment" for a claude_cli agent: config, working directory, CLI command and version, auth
 * mode, then a short "hello" run. Only fixed messages reach the checks: the probe's raw output is never echoed.
 */
export async function testEnvironment(
  ctx: AdapterEnvironmentTestContext,
): Promise<AdapterEnvironmentTestResult> {
  const checks: AdapterEnvironmentCheck[] = [];
  const finish = (): AdapterEnvironmentTestResult => environmentTestResult(ctx.adapterType, checks);

  let config: LocalAdapterConfig;
  try {
    config = parseLocalConfig(ctx.config);
  } catch (error) {
    const fields =
      error instanceof RunError ? (error.failure.meta?.fields as string[] | undefined) : undefined;
    checks.push({
      code: RunErrorCodes.configInvalid,
      level: "error",
      message: error instanceof RunError ? error.message : "The adapter config could not be read.",
      ...(fields?.length ? { hint: `Fix ${fields.map((f) => `"${f}"`).join(", ")}.` } : {}),
    });
    return finish();
  }
  const env = { ...inheritedEnv(), ...config.env };

  const cwd = config.cwd ?? process.cwd();
  const cwdOk = await checkCwd(config, cwd, checks);
  const command = await checkCommand(config, cwdOk ? cwd : tmpdir(), env, checks);
  if (command !== null) await checkVersion(command, env, checks);
  await checkInstructions(ctx, config, checks);
  checkRootPermissions(config, env, checks);
  await checkAuth(config, env, checks);
  if (command !== null) await probeHello(config, command, cwdOk ? cwd : tmpdir(), env, checks);
  return finish();
}

async function checkCwd(config: LocalAdapterConfig, cwd: string, checks: AdapterEnvironmentCheck[]) {
  const problem = await inspectCwd(cwd);
  const origin = config.cwd === undefined ? "the server's working directory (no cwd configured)" : cwd;
  if (problem === null) {
    checks.push({
      code: "claude_cwd_valid",
      level: "info",
      message: `Working directory ${origin} is writable.`,
    });
    return true;
  }
  if (problem === "missing" && config.cwd !== undefined) {
    checks.push({
      code: "claude_cwd_missing",
      level: "warn",
      message: `Working directory ${cwd} does not exist yet; it will be created on the first run.`,
    });
    return false;
  }
  checks.push({
    code: "claude_cwd_invalid",
    level: "error",
    message: `Working directory ${origin} ${describeCwdProblem(problem)}.`,
    hint: 'Set "cwd" to an absolute, writable directory.',
  });
  return false;
}

async function checkCommand(
  config: LocalAdapterConfig,
  cwd: string,
  env: Record<string, string>,
  checks: AdapterEnvironmentCheck[],
): Promise<string | null> {
  const found = await findCommand(config.command, cwd, env.PATH);
  if (found === null) {
    checks.push({
      code: "claude_command_unresolvable",
      level: "error",
      message: `Command "${config.command}" was not found or is not executable.`,
      hint: 'Install @anthropic-ai/claude-code (npm i -g @anthropic-ai/claude-code) or set "command" to its path.',
    });
    return null;
  }
  checks.push({ code: "claude_command_resolvable", level: "info", message: `Command resolves to ${found}.` });
  return found;
}

async function checkVersion(command: string, env: Record<string, string>, checks: AdapterEnvironmentCheck[]) {
  const version = await new Promise<string | null>((resolve) => {
    execFile(
      command,
      ["--version"],
      { env, timeout: VERSION_TIMEOUT_MS, maxBuffer: 64 * 1024 },
      (error, stdout) => {
        const match = /\d+\.\d+\.\d+\S*/.exec(String(stdout));
        resolve(error === null && match !== null ? match[0] : null);
      },
    );
  });
  checks.push(
    version === null
      ? {
          code: "claude_cli_version_unknown",
          level: "warn",
          message: "`--version` did not report a Claude Code version.",
          hint: "Check that the command really is the Claude Code CLI.",
        }
      : { code: "claude_cli_version", level: "info", message: `Claude Code CLI version ${version}.` },
  );
}

/**
 * The instructions file under the rule every run applies (run-core's `resolveInstructionsBundle`, the same as
 * claude_k8s): a path the run would refuse is an error here too, a file missing inside an allowed root a warning.
 * No agent id here: any agent's managed bundle of the company counts.
 */
async function checkInstructions(
  ctx: AdapterEnvironmentTestContext,
  config: LocalAdapterConfig,
  checks: AdapterEnvironmentCheck[],
) {
  const path = config.invocation.instructionsFilePath;
  if (path === undefined) return;
  try {
    const bundle = await resolveInstructionsBundle({
      instructionsFilePath: path,
      adapterType: ADAPTER_TYPE,
      companyId: ctx.companyId,
      serverEnv: process.env,
    });
    if (bundle === undefined) return;
    if (bundle.kind === "missing") {
      checks.push({
        code: "claude_instructions_unreadable",
        level: "warn",
        message: `Instructions file ${bundle.message}; runs continue without it.`,
        hint: 'Fix "instructionsFilePath" or remove it.',
      });
      return;
    }
    checks.push({
      code: "claude_instructions_readable",
      level: "info",
      message: `Instructions file ${bundle.entryPath} is readable.`,
    });
  } catch (error) {
    checks.push({
      code: RunErrorCodes.configInvalid,
      level: "error",
      message: error instanceof Error ? error.message : String(error),
      hint: 'Fix "instructionsFilePath" or remove it.',
    });
  }
}

function checkRootPermissions(
  config: LocalAdapterConfig,
  env: Record<string, string>,
  checks: AdapterEnvironmentCheck[],
) {
  if (!config.invocation.dangerouslySkipPermissions || process.getuid?.() !== 0) return;
  if (env.IS_SANDBOX === "1" || env.CLAUDE_CODE_BUBBLEWRAP === "1") return;
  checks.push({
    code: "claude_root_skip_permissions",
    level: "error",
    message: "The server runs as root, and Claude Code refuses --dangerously-skip-permissions for root.",
    hint: 'Run Paperclip as a non-root user, set dangerouslySkipPermissions to false, or add env IS_SANDBOX: "1" on a disposable host.',
  });
}

async function checkAuth(
  config: LocalAdapterConfig,
  env: Record<string, string>,
  checks: AdapterEnvironmentCheck[],
) {
  const credential = findClaudeCredential([
    { field: "env", names: setNames(config.env) },
    { field: "server", names: setNames(inheritedEnv()) },
  ]);
  if (credential === undefined) {
    checks.push(await credentialsCheck(claudeHomeOf(env)));
  } else if (credential.kind === "cloud_provider") {
    checks.push({
      code: "claude_cloud_provider_auth",
      level: "info",
      message: "Claude uses Bedrock/Vertex credentials.",
    });
  } else if (credential.kind === "api_key") {
    checks.push(
      credential.field === "env"
        ? {
            code: "claude_api_key_configured",
            level: "info",
            message: "ANTHROPIC_API_KEY is set in the agent's env.",
          }
        : {
            code: "claude_api_key_from_host",
            level: "warn",
            message:
              "ANTHROPIC_API_KEY comes from the server's environment and overrides any subscription login.",
            hint: "Set it in the agent's env to make the choice explicit, or unset it on the server.",
          },
    );
  } else {
    checks.push({
      code:
        credential.kind === "oauth_token" ? "claude_oauth_token_configured" : "claude_auth_token_configured",
      level: "info",
      message: `${credential.name} is set.`,
    });
  }
}

async function credentialsCheck(claudeHome: string): Promise<AdapterEnvironmentCheck> {
  // a logged-in CLI keeps its OAuth credentials here (on Linux; macOS uses the keychain)
  try {
    await access(join(claudeHome, ".credentials.json"), constants.R_OK);
    return {
      code: "claude_logged_in",
      level: "info",
      message: `Logged-in credentials found in ${claudeHome}.`,
    };
  } catch {
    return {
      code: "claude_auth_missing",
      level: "warn",
      message: "No ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or logged-in credentials were found.",
      hint: "Set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN in the agent's env, or run `claude login` as the server's user.",
    };
  }
}

async function probeHello(
  config: LocalAdapterConfig,
  command: string,
  cwd: string,
  env: Record<string, string>,
  checks: AdapterEnvironmentCheck[],
) {
  const args = buildClaudeArgs({ ...config.invocation, instructionsFilePath: undefined, maxTurnsPerRun: 1 });
  const outcome = await runAttempt(
    {
      command,
      args,
      cwd,
      env,
      prompt: PROBE_PROMPT,
      timeoutSec: config.helloProbeTimeoutSec,
      graceSec: 2,
      terminalResultGraceMs: 2_000,
    },
    { onLog: () => {} },
  );
  if (outcome.process.spawnError !== null) {
    checks.push({
      code: "claude_hello_probe_failed",
      level: "error",
      message: "The hello probe could not start the CLI.",
    });
  } else if (outcome.timedOut) {
    checks.push({
      code: "claude_hello_probe_timed_out",
      level: "warn",
      message: `The hello probe did not finish within ${config.helloProbeTimeoutSec}s.`,
      hint: "Raise helloProbeTimeoutSec, or check network access to the Anthropic API.",
    });
  } else if (!outcome.classification.failed) {
    const saidHello = /hello/i.test(outcome.summary.summary ?? "");
    checks.push(
      saidHello
        ? { code: "claude_hello_probe_passed", level: "info", message: "The hello probe run succeeded." }
        : {
            code: "claude_hello_probe_unexpected_output",
            level: "warn",
            message: "The hello probe run succeeded but did not answer with hello.",
          },
    );
  } else {
    checks.push(probeFailure(outcome.classification, outcome.exitCode));
  }
}

/** Fixed wording per failure class: CLI output (which may echo credentials or prompts) is never passed through. */
function probeFailure(classification: RunClassification, exitCode: number | null): AdapterEnvironmentCheck {
  const code = classification.errorCode ?? "unknown";
  switch (classification.errorCode) {
    case "claude_auth_required":
      return {
        code: "claude_hello_probe_auth_required",
        level: "warn",
        message: "The hello probe was refused: Claude is not logged in or the API key is invalid.",
        hint: "Check ANTHROPIC_API_KEY / CLAUDE_CODE_OAUTH_TOKEN, or run `claude login` as the server's user.",
      };
    case "provider_quota":
      return {
        code: "claude_hello_probe_usage_limited",
        level: "warn",
        message: "The hello probe hit a usage limit or low credit balance.",
      };
    case "claude_transient_upstream":
      return {
        code: "claude_hello_probe_transient_upstream",
        level: "warn",
        message: "The Anthropic API was rate limited or overloaded during the hello probe; try again later.",
      };
    case "model_not_found":
      return {
        code: "claude_hello_probe_model_not_found",
        level: "error",
        message: "The configured model is not available to this account.",
        hint: 'Fix "model".',
      };
    default:
      return {
        code: "claude_hello_probe_failed",
        level: "error",
        message: `The hello probe failed (${code}, exit code ${exitCode ?? "none"}).`,
        hint: "Run the CLI by hand with the same env to see its output.",
      };
  }
}
