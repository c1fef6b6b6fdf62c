import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunError } from "./errors.js";
import {
  INSTRUCTIONS_ROOTS_ENV,
  type InstructionsBundle,
  type ResolveInstructionsInput,
  resolveInstructionsBundle,
} from "./instructions.js";

let base: string;
let home: string;
let managed: string;
let outside: string;
let serverEnv: Record<string, string>;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "instructions-test-")));
  home = path.join(base, "paperclip-home");
  managed = path.join(home, "instances", "test", "companies", "co-1", "agents", "agent-1", "instructions");
  outside = path.join(base, "outside");
  serverEnv = { PAPERCLIP_HOME: home, PAPERCLIP_INSTANCE_ID: "test" };
  await mkdir(path.join(managed, "sub"), { recursive: true });
  await mkdir(path.join(managed, "notes.md"), { recursive: true }); // a directory named *.md is not a sibling
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(managed, "AGENTS.md"), "# Agent\nRead ./SOUL.md\n");
  await writeFile(path.join(managed, "HEARTBEAT.md"), "beat\n");
  await writeFile(path.join(managed, "SOUL.md"), "soul\n");
  await writeFile(path.join(managed, "script.sh"), "not markdown\n");
  await writeFile(path.join(managed, ".hidden.md"), "hidden\n");
  await writeFile(path.join(managed, "sub", "ENTRY.md"), "sub entry\n");
  await writeFile(path.join(outside, "secret.md"), "TOKEN=outside\n");
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function input(instructionsFilePath: string, extra: Partial<ResolveInstructionsInput> = {}) {
  return {
    instructionsFilePath,
    adapterType: "claude_k8s",
    companyId: "co-1",
    agentId: "agent-1",
    serverEnv,
    ...extra,
  };
}

async function bundle(p: string, extra: Partial<ResolveInstructionsInput> = {}): Promise<InstructionsBundle> {
  const result = await resolveInstructionsBundle(input(p, extra));
  if (result?.kind !== "bundle") throw new Error(`expected a bundle, got ${JSON.stringify(result)}`);
  return result;
}

/** The refusal: a config error naming instructionsFilePath, whose message matches `pattern`. */
async function expectRefused(p: string, pattern: RegExp, extra: Partial<ResolveInstructionsInput> = {}) {
  const error = await resolveInstructionsBundle(input(p, extra)).then(
    (r) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(r)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunError);
  const failure = (error as RunError).failure;
  expect(failure.code).toBe("adapter_config_invalid");
  expect(failure.meta?.fields).toEqual(["instructionsFilePath"]);
  expect(failure.message).toMatch(/^Invalid claude_k8s config: instructionsFilePath: /);
  expect(failure.message).toMatch(pattern);
}

describe("resolveInstructionsBundle", () => {
  it("is undefined when no path is configured", async () => {
    expect(await resolveInstructionsBundle(input(""))).toBeUndefined();
    expect(
      await resolveInstructionsBundle({ ...input(""), instructionsFilePath: undefined }),
    ).toBeUndefined();
  });

  it("reads the entry of the agent's managed bundle and its .md siblings", async () => {
    const b = await bundle(path.join(managed, "AGENTS.md"));
    expect(b.entryPath).toBe(path.join(managed, "AGENTS.md"));
    expect(b.realPath).toBe(b.entryPath);
    expect(b.bundleDir).toBe(managed);
    expect(b.entry).toEqual({ relativePath: "AGENTS.md", content: Buffer.from("# Agent\nRead ./SOUL.md\n") });
    expect(b.siblings.map((f) => [f.relativePath, f.content.toString()])).toEqual([
      ["HEARTBEAT.md", "beat\n"],
      ["SOUL.md", "soul\n"],
    ]);
  });

  it("refuses /proc/self/environ, /etc/passwd and /dev/zero", async () => {
    await expectRefused("/proc/self/environ", /under \/proc, which is never shipped/);
    await expectRefused("/etc/passwd", /\/etc\/passwd is outside the agent's instructions bundle/);
    await expectRefused("/dev/zero", /under \/dev/);
    await expectRefused("/sys/kernel/hostname", /under \/sys/);
  });

  it("refuses /proc even when the operator's roots include it", async () => {
    await expectRefused("/proc/self/environ", /under \/proc/, {
      serverEnv: { ...serverEnv, [INSTRUCTIONS_ROOTS_ENV]: "/" },
    });
  });

  it("refuses a directory and a FIFO (without blocking on the FIFO)", async () => {
    await expectRefused(path.join(managed, "sub"), /is not a regular file \(a directory\)/);
    const fifo = path.join(managed, "pipe.md");
    execFileSync("mkfifo", [fifo]);
    try {
      await expectRefused(fifo, /is not a regular file \(a FIFO\)/);
      // As a sibling it is refused too: the whole bundle goes or none of it.
      await expectRefused(path.join(managed, "AGENTS.md"), /pipe\.md is not a regular file \(a FIFO\)/);
    } finally {
      await rm(fifo);
    }
  });

  it("refuses a symlink inside the bundle that leads outside, as entry or as sibling", async () => {
    const link = path.join(managed, "sub", "LINK.md");
    await symlink(path.join(outside, "secret.md"), link);
    try {
      await expectRefused(link, /LINK\.md \(resolves to .*outside\/secret\.md\) is outside/);
      await expectRefused(
        path.join(managed, "sub", "ENTRY.md"),
        /sibling .*LINK\.md \(resolves to .*secret\.md\)/,
      );
    } finally {
      await rm(link);
    }
    const environ = path.join(managed, "sub", "ENV.md");
    await symlink("/proc/self/environ", environ);
    try {
      await expectRefused(environ, /resolves to \/proc\/\d+\/environ\) is under \/proc/);
    } finally {
      await rm(environ);
    }
  });

  it("reads a symlink inside the bundle that leads inside it", async () => {
    const link = path.join(managed, "sub", "ALIAS.md");
    await symlink(path.join(managed, "SOUL.md"), link);
    try {
      const b = await bundle(link);
      expect(b.entryPath).toBe(link);
      expect(b.realPath).toBe(path.join(managed, "SOUL.md"));
      expect(b.entry.content.toString()).toBe("soul\n");
      expect(b.bundleDir).toBe(path.join(managed, "sub"));
      expect(b.siblings.map((f) => f.relativePath)).toEqual(["ENTRY.md"]);
    } finally {
      await rm(link);
    }
  });

  it("sees through .. and refuses relative paths", async () => {
    await expectRefused(`${managed}/../../../../../../../../etc/passwd`, /\/etc\/passwd is outside/);
    await expectRefused(
      `${managed}/../../agent-2/instructions/AGENTS.md`,
      /agent-2\/instructions\/AGENTS\.md is outside/,
    );
    const b = await bundle(`${managed}/sub/../AGENTS.md`);
    expect(b.entryPath).toBe(path.join(managed, "AGENTS.md"));
    await expectRefused("AGENTS.md", /must be an absolute path/);
    await expectRefused("~/AGENTS.md", /must be an absolute path/);
  });

  it("refuses a file over the per-file limit and a bundle over the total limit", async () => {
    const big = path.join(outside, "big");
    await mkdir(big);
    await writeFile(path.join(big, "AGENTS.md"), Buffer.alloc(256 * 1024 + 1, 0x61));
    const env = { ...serverEnv, [INSTRUCTIONS_ROOTS_ENV]: big };
    await expectRefused(path.join(big, "AGENTS.md"), /is 262145 bytes; at most 262144 bytes per file/, {
      serverEnv: env,
    });
    await writeFile(path.join(big, "AGENTS.md"), Buffer.alloc(256 * 1024, 0x61));
    expect((await bundle(path.join(big, "AGENTS.md"), { serverEnv: env })).entry.content.length).toBe(
      256 * 1024,
    );
    for (const name of ["A.md", "B.md", "C.md", "D.md"]) {
      await writeFile(path.join(big, name), Buffer.alloc(200 * 1024, 0x62));
    }
    await expectRefused(path.join(big, "AGENTS.md"), /larger than 1048576 bytes in total/, {
      serverEnv: env,
    });
  });

  it("allows the operator's roots from the server env, and only those", async () => {
    const p = path.join(outside, "secret.md");
    await expectRefused(p, /is outside .*PAPERCLIP_K8S_INSTRUCTIONS_ROOTS/);
    const env = { ...serverEnv, [INSTRUCTIONS_ROOTS_ENV]: `/nonexistent::${outside}` };
    expect((await bundle(p, { serverEnv: env })).entry.content.toString()).toBe("TOKEN=outside\n");
    await expectRefused(p, /lists a relative path \(outside\)/, {
      serverEnv: { ...serverEnv, [INSTRUCTIONS_ROOTS_ENV]: "outside" },
    });
  });

  it("refuses when no root can be established", async () => {
    await expectRefused(path.join(managed, "AGENTS.md"), /no instructions root is known/, {
      companyId: "../co-1",
    });
    await expectRefused(path.join(managed, "AGENTS.md"), /no instructions root is known/, {
      serverEnv: { ...serverEnv, PAPERCLIP_INSTANCE_ID: "bad/id" },
    });
    await expectRefused(path.join(managed, "AGENTS.md"), /is outside/, { agentId: "agent-2" });
  });

  it("reports a missing file inside the bundle as missing, not as a refusal", async () => {
    const result = await resolveInstructionsBundle(input(path.join(managed, "GONE.md")));
    expect(result).toEqual({
      kind: "missing",
      entryPath: path.join(managed, "GONE.md"),
      message: `${path.join(managed, "GONE.md")} could not be read (ENOENT)`,
    });
    await expectRefused(path.join(outside, "GONE.md"), /is outside/);
  });

  it("without an agent id (testEnvironment) allows any agent's bundle of the company only", async () => {
    const b = await bundle(path.join(managed, "AGENTS.md"), { agentId: undefined });
    expect(b.entry.relativePath).toBe("AGENTS.md");
    const agents = path.dirname(path.dirname(managed));
    await expectRefused(path.join(agents, "agent-1", "AGENTS.md"), /is outside .*<agentId>\/instructions/, {
      agentId: undefined,
    });
    await expectRefused(
      path.join(home, "instances", "test", "companies", "co-2", "agents", "a", "instructions", "AGENTS.md"),
      /is outside/,
      {
        agentId: undefined,
      },
    );
  });

  it("follows a Paperclip home reached through a symlink", async () => {
    const linkedHome = path.join(base, "home-link");
    await symlink(home, linkedHome);
    const linkedManaged = managed.replace(home, linkedHome);
    const env = { PAPERCLIP_HOME: linkedHome, PAPERCLIP_INSTANCE_ID: "test" };
    expect((await bundle(path.join(linkedManaged, "AGENTS.md"), { serverEnv: env })).realPath).toBe(
      path.join(managed, "AGENTS.md"),
    );
    expect((await bundle(path.join(managed, "AGENTS.md"), { serverEnv: env })).entryPath).toBe(
      path.join(managed, "AGENTS.md"),
    );
  });
});
