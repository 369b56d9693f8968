/**
 * waotp: the WhatsApp OTP provider simulator, contract-test harness and sending core.
 * @module
 */
export { createSimulator, type Simulator, type SimulatorOptions } from './simulator/app.js';
export { startSimulator, type RunningSimulator, type StartOptions } from './simulator/server.js';
export { providers, type ProviderId } from './providers/index.js';
export { OUTCOMES, DELIVERY_STATES, type Outcome, type DeliveryState } from './providers/outcomes.js';
export type { ProviderDefinition, EndpointDefinition, NativeReply } from './providers/define.js';
export {
  createOtpService,
  deriveReportToken,
  type OtpService,
  type OtpServiceOptions,
  type Verification,
  type CheckResult,
  type AbuseLimits,
  type ReportProof,
} from './core/service.js';
export { createOtpHttp } from './core/http.js';
export { createMemoryStore } from './core/stores/memory.js';
export { createRedisStore } from './core/stores/redis.js';
export type { OtpStore } from './core/stores/types.js';
export * from './core/errors.js';
export type { Adapter, OtpMessage, SendResult, FailureKind } from './providers/adapter.js';
