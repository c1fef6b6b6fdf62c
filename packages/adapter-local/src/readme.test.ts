import { toMarkdownTable } from "@paperclip-k8s/run-core";
import { readmeConfigTableSuite } from "@paperclip-k8s/testing/readme-table";
import { CONFIG_FIELDS } from "./config.js";

readmeConfigTableSuite({
  readme: new URL("../README.md", import.meta.url),
  table: toMarkdownTable(CONFIG_FIELDS),
  keys: CONFIG_FIELDS.map((d) => d.key),
});
