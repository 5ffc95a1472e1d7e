// Device simulators: pure behaviour models, named scenarios as timelines, an MQTT transport
// (one connection per device), a site generator and load runs for benchmarks.
export { Rng, hashSeed } from './rng.ts';
export { createSimClock, hourOfDay, dayIndex, atLocalHour, commuteProfile, MINUTE_MS, HOUR_MS, DAY_MS, type Clock, type SimClockOptions } from './clock.ts';
export {
  DeviceBehaviour, simulateDevice, mergeParams, FIELD_PARAMS, DEMO_PARAMS, estateRhythm, fillRatePctPerHour, stormOn, detectionConfidence,
  smokeModel, binModel, manholeModel, ebikeModel,
  type ModelParams, type ModelParamsPatch, type Body, type Emit, type SimDeviceInfo,
} from './models/index.ts';
export { SimDevice, backoffDelayMs, newStats, DEFAULT_BACKOFF, type DeviceCredentials, type FleetStats, type BackoffOptions, type SimDeviceOptions } from './device.ts';
export { Fleet, eachLimit, type FleetOptions } from './fleet.ts';
export { siteDevices, credentialsOf, loadSite, loadDemoSite, secretsPathFor, type SiteDevice, type LoadedSite } from './site.ts';
export { generateSite, hashGeneratedSite, cachedGeneratedSite, DEFAULT_MIX, type GenerateSiteOptions, type GeneratedSite } from './generate.ts';
export { timeline, runTimeline, type Timeline, type TimelineStep, type TimelineRun, type StepResult, type Scenario, type ScenarioContext } from './timeline.ts';
export { SCENARIOS, malformedPayloads, POWER_CUT_MS } from './scenarios/index.ts';
export { startSimulation, type Simulation, type SimulationOptions } from './simulate.ts';
export { runLoad, type LoadOptions, type LoadReport } from './load.ts';
export { startProgress, formatProgress, type ProgressSnapshot } from './progress.ts';
export * from './networks/index.ts';
