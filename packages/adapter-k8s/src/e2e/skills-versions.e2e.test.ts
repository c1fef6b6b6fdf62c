import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Announced,
  CLAUDE_CLI_VERSIONS,
  type MockAnthropic,
  startMockAnthropic,
} from "@paperclip-k8s/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BRIDGE_HOST } from "./cluster.js";
import { events } from "./harness.js";
import { adapterSuite, explain } from "./suite.js";

// Issue 14 for every pinned CLI version, at the request level: the mock records what each CLI in its Job pod
// announced to the model (tool definitions, system prompt, tool descriptions, user reminders), and the test asserts
// the shipped skill by name and its description, the instructions text with claude_local's path directive, and the
// sibling file's path. What a version cannot do is pinned here too, so a change in either direction fails:
// 1.0.128 knows no --append-system-prompt-file (claude_local's way of passing instructions, ours too): an agent with
// an instructions file fails to start, named; 2.0.77 loads skills only from the Claude home (it ignores --add-dir's),
// where the pod's entrypoint links the shipped skills (without that link it announced none).

const s = adapterSuite("ck8s-skillv");
const SKILL_DESCRIPTION = "Paperclip heartbeat procedure for the version e2e.";
const SOUL_LINE = "soul-of-the-versions-agent";
/** Pinned versions that cannot take an instructions file (no --append-system-prompt-file). */
const NO_INSTRUCTIONS_FILE = new Set(["1.0.128"]);
let root = "";
let mock: MockAnthropic;
const savedRoots = process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ck8s-skillv-"));
  await mkdir(join(root, "skill"), { recursive: true });
  await writeFile(
    join(root, "skill", "SKILL.md"),
    `---\nname: paperclip\ndescription: ${SKILL_DESCRIPTION}\n---\nCheck out your issue.\n`,
  );
  await mkdir(join(root, "bundle"), { recursive: true });
  await writeFile(join(root, "bundle", "AGENTS.md"), "# Versions agent\nRead ./SOUL.md before anything.\n");
  await writeFile(join(root, "bundle", "SOUL.md"), `${SOUL_LINE}\n`);
  process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = join(root, "bundle");
  mock = await startMockAnthropic({ host: BRIDGE_HOST, recordAnnounced: true, log: () => undefined });
});

afterAll(async () => {
  if (savedRoots === undefined) delete process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS;
  else process.env.PAPERCLIP_K8S_INSTRUCTIONS_ROOTS = savedRoots;
  await mock?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe.each([...CLAUDE_CLI_VERSIONS])(
  "claude %s in a Job pod: what it announces to the model",
  (version) => {
    it(
      NO_INSTRUCTIONS_FILE.has(version)
        ? "refuses the instructions file at start, named"
        : "the instructions with the path directive, and the paperclip skill",
      async () => {
        const before = mock.requests.length;
        const run = s.run({
          runId: `skillv-${version.replaceAll(".", "-")}`,
          agentId: `agent-skillv-${version.replaceAll(".", "-")}`,
          config: {
            image: `localhost/paperclip-claude:${version}`,
            workspaceMode: "emptyDir",
            instructionsFilePath: join(root, "bundle", "AGENTS.md"),
            paperclipRuntimeSkills: [
              {
                key: "paperclipai/paperclip/paperclip",
                runtimeName: "paperclip",
                source: join(root, "skill"),
              },
            ],
            promptTemplate: "Say hello. [[mock:success]]",
            env: {
              ...(s.config().env as Record<string, string>),
              ANTHROPIC_BASE_URL: mock.url,
            },
          },
        });
        const result = await s.execute(run);
        if (NO_INSTRUCTIONS_FILE.has(version)) {
          expect(result.errorCode, explain(result, run)).toBe("claude_startup_failed");
          expect(result.errorMessage).toContain("unknown option '--append-system-prompt-file'");
          return;
        }
        expect(result.exitCode, explain(result, run)).toBe(0);
        const announced = mock.requests
          .slice(before)
          .map((r) => r.announced)
          .filter((a): a is Announced => a !== undefined);
        expect(announced.length, "no agent-loop request reached the mock").toBeGreaterThan(0);
        const text = announced.map((a) => a.text).join("\n");
        // the instructions file's text and claude_local's directive, naming the mounted bundle directory
        expect(text).toContain("# Versions agent");
        const directive =
          /The above agent instructions were loaded from (\/\S+)\/AGENTS\.md\. Resolve any relative file references from (\/\S+?)\/?\. /.exec(
            text,
          );
        expect(directive?.[1]).toMatch(/^\/var\/run\/paperclip\/bundle\//);
        expect(directive?.[2]).toBe(directive?.[1]);
        const skillAnnounced = text.includes(SKILL_DESCRIPTION);
        const init = events(run).find((e) => e.type === "system" && e.subtype === "init") as
          | { skills?: string[] }
          | undefined;
        console.info(`claude ${version}: init skills ${JSON.stringify(init?.skills ?? null)}`);
        console.info(
          `claude ${version}: ${announced.length} agent-loop request(s); tools ${announced[0]?.tools.length}; ` +
            `Skill tool ${announced[0]?.tools.includes("Skill") ? "yes" : "no"}; skill announced ${skillAnnounced ? "yes" : "no"}`,
        );
        expect(init?.skills).toContain("paperclip");
        expect(skillAnnounced).toBe(true);
      },
    );
  },
);
