// Paperclip's UI transcript parser (contract 1). tsup bundles claude-parse's parser into a self-contained
// dist/ui-parser.cjs with zero imports, which Paperclip's UI worker evaluates as CommonJS.
import { createStdoutParser, parseStdoutLine } from "@paperclip-k8s/claude-parse/ui-parser";

export { createStdoutParser, parseStdoutLine };
