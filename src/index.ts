/**
 * waotp: the WhatsApp OTP provider simulator, contract-test harness and sending core.
 * @module
 */
export { createSimulator, type Simulator, type SimulatorOptions } from './simulator/app.js';
export { startSimulator, type RunningSimulator, type StartOptions } from './simulator/server.js';
export { providers } from './providers/index.js';
export { OUTCOMES, DELIVERY_STATES, type Outcome, type DeliveryState } from './providers/outcomes.js';
export type { ProviderDefinition, EndpointDefinition, NativeReply } from './providers/define.js';
