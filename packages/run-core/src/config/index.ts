export {
  absolutePath,
  boolean,
  ENV_NAME_RE,
  envName,
  type FieldDef,
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
export { fieldTitle, formLabel, toConfigSchema, toConfigurationDoc, toMarkdownTable } from "./present.js";
export { SHARED_FIELDS, sharedFields } from "./shared-fields.js";
