import { defineProject } from "vitest/config";
import { workspaceAlias } from "./vitest.workspace-alias.js";

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    include: ["src/**/*.test.ts"],
    exclude: ["src/**/*.e2e.test.ts"],
  },
});
