export { firstHeading, HEARTBEAT_COMMENT, HEARTBEAT_DONE, HEARTBEAT_FAILED } from "./heartbeat.js";
export {
  isScenarioName,
  parseMarker,
  planReply,
  promptText,
  type ReplyPlan,
  SCENARIOS,
  type ScenarioName,
  type ScenarioSelection,
  scenarioMarker,
  selectScenario,
} from "./scenarios.js";
export {
  type Announced,
  type MockAnthropic,
  MockAnthropicConfigError,
  type MockAnthropicOptions,
  type RecordedRequest,
  startMockAnthropic,
} from "./server.js";
export { encodeFrame, messageFrames, messageJson } from "./sse.js";
