import { describe, expect, it } from "vitest";
import { cleanNpmEnv } from "./npm-env.js";

describe("cleanNpmEnv", () => {
  it("drops pnpm's npm_* settings but keeps registry, proxy and cache, and the rest of the env", () => {
    const env = cleanNpmEnv({
      PATH: "/usr/bin",
      npm_config_registry: "https://registry.example/",
      "npm_config_@scope:registry": "https://scoped.example/",
      npm_config_https_proxy: "http://proxy:3128",
      npm_config_cache: "/tmp/npm-cache",
      npm_config_engine_strict: "true",
      npm_config_node_linker: "isolated",
      npm_lifecycle_event: "test",
    });
    expect(env).toEqual({
      PATH: "/usr/bin",
      npm_config_registry: "https://registry.example/",
      "npm_config_@scope:registry": "https://scoped.example/",
      npm_config_https_proxy: "http://proxy:3128",
      npm_config_cache: "/tmp/npm-cache",
      npm_config_update_notifier: "false",
    });
  });
});
