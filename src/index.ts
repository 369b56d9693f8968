/**
 * waotp: the WhatsApp OTP provider simulator, contract-test harness and sending core.
 * @module
 */

export * from './core/errors.js';
export { createOtpHttp } from './core/http.js';
export {
  type AbuseLimits,
  type CheckResult,
  createOtpService,
  deriveReportToken,
  type OtpService,
  type OtpServiceOptions,
  type ReportProof,
  type Verification,
} from './core/service.js';
export { createMemoryStore } from './core/stores/memory.js';
export { createRedisStore } from './core/stores/redis.js';
export type { OtpStore } from './core/stores/types.js';
export type { Adapter, FailureKind, OtpMessage, SendResult } from './providers/adapter.js';
export type { EndpointDefinition, NativeReply, ProviderDefinition } from './providers/define.js';
export { type ProviderId, providers } from './providers/index.js';
export { DELIVERY_STATES, type DeliveryState, OUTCOMES, type Outcome } from './providers/outcomes.js';
export { createSimulator, type Simulator, type SimulatorOptions } from './simulator/app.js';
export { type RunningSimulator, type StartOptions, startSimulator } from './simulator/server.js';
