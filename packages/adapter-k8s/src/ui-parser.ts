// Paperclip's UI worker evaluates this file as CommonJS through `new Function`: tsup bundles claude-parse's
// transcript parser into one self-contained file with zero imports.
export * from "@paperclip-k8s/claude-parse/ui-parser";
