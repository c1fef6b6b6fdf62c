import { defineConfig } from "tsup";
import { nodeLibrary } from "../../tsup.shared.js";

export default defineConfig(nodeLibrary({ index: "src/index.ts", testing: "src/testing/index.ts" }));
