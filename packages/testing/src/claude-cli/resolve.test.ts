import { describe, expect, it } from "vitest";
import {
  assertExactVersion,
  binCandidates,
  CLAUDE_CLI_VERSIONS,
  ClaudeCliError,
  defaultCacheRoot,
  platformKey,
  reportsVersion,
  versionDir,
} from "./resolve.js";

describe("assertExactVersion", () => {
  it("accepts exact versions, including the defaults", () => {
    for (const v of [...CLAUDE_CLI_VERSIONS, "2.1.0-beta.1"]) expect(assertExactVersion(v)).toBe(v);
  });

  it.each(["latest", "^2.1.0", "2.1", "", "../2.1.330", "2.1.330/../../x", " 2.1.330"])(
    "refuses %j with an error naming the field",
    (v) => {
      expect(() => assertExactVersion(v)).toThrow(ClaudeCliError);
      try {
        assertExactVersion(v);
      } catch (err) {
        expect((err as ClaudeCliError).field).toBe("version");
        expect((err as Error).message).toContain(JSON.stringify(v));
      }
    },
  );
});

describe("cache layout", () => {
  it("puts each version in its own directory under the cache root", () => {
    expect(versionDir("/cache/claude-code", "2.0.77")).toBe("/cache/claude-code/2.0.77");
  });

  it("honours PAPERCLIP_K8S_CACHE_DIR", () => {
    expect(defaultCacheRoot({ PAPERCLIP_K8S_CACHE_DIR: "/srv/cache" })).toBe("/srv/cache/claude-code");
    expect(defaultCacheRoot({})).toMatch(/\/\.cache\/paperclip-k8s\/claude-code$/);
  });
});

describe("binCandidates", () => {
  it("runs the JS entry of 1.0.x/2.0.x packages directly", () => {
    expect(binCandidates("/p", { bin: { claude: "cli.js" } }, "linux-x64")).toEqual({
      kind: "js",
      paths: ["/p/node_modules/@anthropic-ai/claude-code/cli.js"],
    });
  });

  it("prefers the per-platform native binary, then the postinstall-placed bin/claude.exe", () => {
    expect(binCandidates("/p", { bin: { claude: "bin/claude.exe" } }, "linux-arm64-musl")).toEqual({
      kind: "native",
      paths: [
        "/p/node_modules/@anthropic-ai/claude-code-linux-arm64-musl/claude",
        "/p/node_modules/@anthropic-ai/claude-code/bin/claude.exe",
      ],
    });
  });

  it("accepts a string bin and refuses a manifest without one", () => {
    expect(binCandidates("/p", { bin: "cli.mjs" }, "linux-x64").kind).toBe("js");
    expect(() => binCandidates("/p", { bin: { other: "x.js" } }, "linux-x64")).toThrow(
      /declares no "claude" bin/,
    );
    expect(() => binCandidates("/p", null, "linux-x64")).toThrow(ClaudeCliError);
  });
});

describe("platformKey", () => {
  it("matches the npm optional dependency suffixes", () => {
    expect(platformKey("linux", "x64", false)).toBe("linux-x64");
    expect(platformKey("linux", "arm64", true)).toBe("linux-arm64-musl");
    expect(platformKey("darwin", "arm64", true)).toBe("darwin-arm64");
  });
});

describe("reportsVersion", () => {
  it("reads the first word of `claude --version`", () => {
    expect(reportsVersion("2.1.330 (Claude Code)\n", "2.1.330")).toBe(true);
    expect(reportsVersion("2.1.33 (Claude Code)\n", "2.1.330")).toBe(false);
    expect(reportsVersion("", "2.1.330")).toBe(false);
  });
});
