export {
  type ConfigExample,
  type ConfigurationDocSpec,
  toConfigurationDoc,
  type ValueDoc,
  valueDoc,
} from "./doc.js";
export {
  absolutePath,
  boolean,
  ENV_NAME_RE,
  envName,
  type FieldDef,
  type FieldDoc,
  type FieldForm,
  field,
  httpUrl,
  integer,
  isPlainObject,
  jsonText,
  line,
  MAX_VALUE_CHARS,
  oneOf,
  type ParsedFields,
  text,
} from "./field.js";
export { assertValid, nearest, PAPERCLIP_OWNED_KEYS, type ParseOptions, parseFields } from "./parse.js";
export { fieldTitle, formLabel, paperclipFormSection, toConfigSchema, toMarkdownTable } from "./present.js";
export { SHARED_FIELDS, sharedFields } from "./shared-fields.js";
