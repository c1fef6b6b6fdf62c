import { fileURLToPath } from "node:url";

/**
 * Tests resolve the sibling workspace packages to their sources, so they always run against the current code and
 * never see a dist/ that another package's build is just recreating.
 */
const src = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const workspaceAlias = [
  {
    find: /^@paperclip-k8s\/claude-parse\/ui-parser$/,
    replacement: src("claude-parse/src/ui-parser/index.ts"),
  },
  { find: /^@paperclip-k8s\/claude-parse$/, replacement: src("claude-parse/src/index.ts") },
  { find: /^@paperclip-k8s\/k8s-runtime$/, replacement: src("k8s-runtime/src/index.ts") },
  { find: /^@paperclip-k8s\/run-core$/, replacement: src("run-core/src/index.ts") },
];
