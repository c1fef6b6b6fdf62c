import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
    clean: false,
  },
  {
    // The shared transcript parser from claude-parse, bundled into one self-contained CommonJS file.
    entry: { "ui-parser": "src/ui-parser.ts" },
    format: ["cjs"],
    platform: "node",
    target: "es2020",
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
    noExternal: [/.*/],
    clean: false,
  },
]);
