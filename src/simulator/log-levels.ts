/**
 * The request log's levels and formats: plain constants, so the CLI's option parsing can name them without
 * loading the simulator (`waotp serve` must not).
 * @module
 */
export const LOG_LEVELS = ['silent', 'info', 'debug'] as const;
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
