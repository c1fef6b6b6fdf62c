import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
    // `pnpm build` removes dist first: with an array config the entries build concurrently, and `clean` on one
    // entry could delete what another has already written (dist/ui-parser.d.cts went missing that way).
    clean: false,
    sourcemap: false,
  },
  {
    // Paperclip's UI worker evaluates this file as CommonJS through `new Function`: zero imports, < 50 KB.
    entry: { "ui-parser": "src/ui-parser/index.ts" },
    format: ["cjs"],
    platform: "node",
    target: "es2020",
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
    noExternal: [/.*/],
    minify: false,
    clean: false,
  },
]);
