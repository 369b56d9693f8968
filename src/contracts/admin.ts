/**
 * The `/__admin` API's own OpenAPI 3.1 contract, generated from the route table the simulator mounts
 * (src/simulator/admin-routes.ts): request schemas are the ones the routes parse with, reply schemas the
 * ones a test holds real replies to.
 * @module
 */
import {
  type OpenAPIObject,
  OpenApiBuilder,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
} from 'openapi3-ts/oas31';
import { z } from 'zod';
import type { ProviderDefinition } from '../providers/define.js';
import { ADMIN_ROUTES } from '../simulator/admin-routes.js';
import { problemSchema } from '../simulator/admin-schemas.js';
import { type AdminReply, type AdminRoute, problemStatuses } from '../simulator/admin-table.js';
import { jsonSchema, openApiPath } from './build.js';

function reply(spec: AdminReply): ResponseObject {
  if (spec === 'empty') return { description: 'Done' };
  if (spec === 'event-stream') {
    return { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } };
  }
  if (spec === 'html') return { description: 'A page', content: { 'text/html': { schema: { type: 'string' } } } };
  return { description: 'OK', content: { 'application/json': { schema: jsonSchema(spec) } } };
}

function queryParameters(route: AdminRoute): ParameterObject[] {
  if (!(route.query instanceof z.ZodObject)) return [];
  return Object.entries(route.query.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const { description, ...schema } = jsonSchema(field);
    return {
      name,
      in: 'query',
      required: !field.safeParse(undefined).success,
      ...(description && { description }),
      schema,
    };
  });
}

function operation(route: AdminRoute, providers: readonly ProviderDefinition[]): OperationObject {
  const op: OperationObject = {
    summary: route.summary,
    parameters: [
      { $ref: '#/components/parameters/session' },
      ...[...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
        name: name!,
        in: 'path' as const,
        required: true,
        schema: { type: 'string' as const },
      })),
      ...queryParameters(route),
    ],
    responses: {
      ...Object.fromEntries(Object.entries(route.replies).map(([status, spec]) => [status, reply(spec)])),
      ...Object.fromEntries(
        problemStatuses(route).map((code) => [
          String(code),
          {
            description: 'Problem',
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
    },
  };
  if (route.body) {
    const schema = jsonSchema(route.body.schema(providers));
    op.requestBody = { required: true, content: { 'application/json': { schema, example: route.body.example } } };
  }
  return op;
}

/**
 * Builds the admin API contract.
 * @example
 * const contract = buildAdminContract(providers);
 */
export function buildAdminContract(providers: readonly ProviderDefinition[]): OpenAPIObject {
  const ids = providers.map((p) => p.id).join(', ');
  const builder = OpenApiBuilder.create({
    openapi: '3.1.0',
    info: {
      title: 'waotp admin API',
      version: '1.0.0',
      description: `Inbox, journal, scenarios, chaos and clock of the waotp simulator. Providers: ${ids}.`,
    },
    servers: [{ url: 'http://127.0.0.1:4010' }],
    paths: {},
    components: {
      schemas: { Problem: jsonSchema(problemSchema) },
      parameters: {
        session: {
          name: 'x-waotp-session',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Scopes rules, journal and inbox to one session',
        },
      },
    },
  });
  for (const route of ADMIN_ROUTES) {
    const path = openApiPath(route.path);
    const item = builder.rootDoc.paths?.[path] ?? {};
    item[route.method] = operation(route, providers);
    builder.addPath(path, item);
  }
  return builder.getSpec();
}
