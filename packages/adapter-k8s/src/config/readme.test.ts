import { readmeConfigTableSuite } from "@paperclip-k8s/testing/readme-table";
import { CLAUDE_K8S_FIELDS, configTable } from "./fields.js";

readmeConfigTableSuite({
  readme: new URL("../../README.md", import.meta.url),
  table: configTable(),
  keys: CLAUDE_K8S_FIELDS.map((d) => d.key),
});
