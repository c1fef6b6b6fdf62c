import { defineConfig } from "tsup";
import { nodeLibrary, uiParser } from "../../tsup.shared.js";

export default defineConfig([nodeLibrary({ index: "src/index.ts" }), uiParser("src/ui-parser.ts")]);
