export {
  isScenarioName,
  type Observation,
  SCENARIO_LABEL,
  SCENARIO_NAMES,
  SCENARIOS,
  type Scenario,
  type ScenarioImages,
  type ScenarioName,
  type ScenarioState,
} from "./definitions.js";
export {
  createTestNamespace,
  DEFAULT_SCENARIO_IMAGES,
  deleteTestNamespace,
  NAMESPACE_LABEL,
  type RunScenarioOptions,
  readState,
  runScenario,
  type ScenarioRun,
  waitForJobState,
} from "./run.js";
