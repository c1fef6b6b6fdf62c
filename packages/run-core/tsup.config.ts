import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  clean: false,
  sourcemap: false,
});
