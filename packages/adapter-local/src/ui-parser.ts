// Paperclip's UI transcript parser (contract 1): claude-parse's, bundled by tsup into a self-contained dist/ui-parser.cjs.
export { parseStdoutLine } from "@paperclip-k8s/claude-parse/ui-parser";
