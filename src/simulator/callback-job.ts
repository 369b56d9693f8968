/**
 * One report on its way to a receiver (a job of the callback scheduler), and the attempt record an outcome of
 * sending it becomes: plain data and pure functions, so the send queue only sends, records and retries.
 * @module
 */
import type { NativeCallback } from '../providers/define.js';
import type { SendResult } from './callback-sender.js';
import type { CallbackAttempt, InboxMessage } from './inbox.js';
import type { ReportState } from './timeline.js';

export interface Job {
  message: InboxMessage;
  state: ReportState;
  /** Simulated time the report is about. */
  at: number;
  attempt: number;
  /** The send queue's generation when the job was made: a full reset outdates it. */
  generation: number;
  /** Set once the report falls due: where it goes and what it says (retries send the same). */
  url?: string;
  native?: NativeCallback;
  attempts?: number;
  timeoutMs?: number;
}

/**
 * The attempt as the inbox and `GET /__admin/callbacks` show it.
 * @example
 * attemptOf(job, 'http://127.0.0.1:3000/hook', { kind: 'answered', status: 200, durationMs: 4 }, clock.now());
 */
export function attemptOf(
  job: Job,
  url: string,
  result: Partial<SendResult> & { error?: string },
  at: number,
): CallbackAttempt {
  const native = job.native!;
  return {
    event: job.state,
    url,
    method: native.method,
    request: {
      ...(native.query && { query: native.query }),
      headers: native.headers,
      ...(native.body !== undefined && { body: native.body }),
    },
    attempt: job.attempt,
    ...(result.status !== undefined && { status: result.status }),
    ...(result.durationMs !== undefined && { durationMs: result.durationMs }),
    ...(result.error !== undefined && { error: result.error }),
    at: new Date(at).toISOString(),
  };
}
