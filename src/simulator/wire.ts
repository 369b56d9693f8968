/**
 * The pipeline's outgoing edge: a verdict as bytes on the wire, including the transport faults no provider
 * renders itself (a held then dropped request, a reset socket, a truncated body).
 * @module
 */

import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { problem } from '../util/problem.js';
import type { Verdict } from './request-context.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Turns a verdict into the response the client gets.
 * @example
 * return toResponse(c, verdict, 60_000);
 */
export async function toResponse(c: Context, verdict: Verdict, timeoutCapMs: number): Promise<Response> {
  if (verdict.error) return problem(400, 'Unknown scenario', verdict.error);
  const { reply, outcome } = verdict;
  if (outcome === 'connection_reset' || outcome === 'timeout') return dropConnection(c, outcome, timeoutCapMs);
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  headers['content-type'] ??= JSON_TYPE;
  let text = JSON.stringify(reply.body);
  if (outcome === 'malformed_reply') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  return new Response(text, { status: reply.status, headers });
}

async function dropConnection(
  c: Context,
  outcome: 'connection_reset' | 'timeout',
  timeoutCapMs: number,
): Promise<Response> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (outcome === 'timeout') {
    // Hold the request until the client gives up, or the cap passes; then drop the connection unanswered.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutCapMs);
      incoming?.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (!incoming) return Response.error();
  incoming.socket.destroy();
  return new Response(null);
}
