/**
 * ProviderDefinition -> OpenAPI 3.1, from the same zod schemas the simulator validates with.
 * Runs at build time (`npm run contracts`), never at simulator start.
 * @module
 */
import {
  type OpenAPIObject,
  OpenApiBuilder,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  type SchemaObject,
} from 'openapi3-ts/oas31';
import { z } from 'zod';
import type { CallbackDefinition, EndpointDefinition, ProviderDefinition } from '../providers/define.js';

/** The sample recipient used in every contract example. */
export const EXAMPLE_RECIPIENT = '6281234567890';

/** JSON Schema 2020-12 of what travels on the wire (a schema's input side), without `$schema`. */
export function jsonSchema(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest as SchemaObject;
}

/** `/bots/:id/fire` -> `/bots/{id}/fire`. */
export function openApiPath(path: string): string {
  // A Hono parameter pattern (`:version{v\\d+\\.\\d+}`) becomes the parameter's schema pattern, not part of the path.
  return path.replace(/:(\w+)(\{[^/]*\})?/g, '{$1}');
}

function pathParameters(path: string): ParameterObject[] {
  return [...path.matchAll(/:(\w+)(?:\{([^/]*)\})?/g)].map(([, name, pattern]) => ({
    name: name!,
    in: 'path',
    required: true,
    schema: { type: 'string', ...(pattern !== undefined && { pattern: `^${pattern}$` }) },
  }));
}

function operation(provider: ProviderDefinition, endpoint: EndpointDefinition): OperationObject {
  const sample = endpoint.sample?.(EXAMPLE_RECIPIENT);
  const op: OperationObject = {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    tags: [provider.name],
    'x-waotp-kind': endpoint.kind,
    security: [Object.fromEntries(endpoint.security.map((name) => [name, []]))],
    responses: Object.fromEntries(
      Object.entries(endpoint.responses).map(([status, spec]) => [
        status,
        {
          description: spec.description,
          ...(spec.headers && {
            headers: Object.fromEntries(
              Object.entries(spec.headers).map(([h, v]) => [h, { description: v.description, schema: v.schema }]),
            ),
          }),
          content: {
            'application/json': {
              schema: jsonSchema(spec.schema),
              ...(spec.example !== undefined && { example: spec.example }),
            },
          },
        },
      ]),
    ),
  };
  const parameters = pathParameters(endpoint.path);
  if (parameters.length) op.parameters = parameters;
  if (endpoint.body) {
    op.requestBody = {
      required: !endpoint.bodyOptional,
      content: {
        'application/json': {
          schema: jsonSchema(endpoint.body),
          ...(sample?.body !== undefined && { example: sample.body }),
        },
      },
    };
  }
  if (endpoint.kind === 'send' && provider.callbacks && 'requestField' in provider.callbacks.target) {
    op.callbacks = {
      deliveryStatus: {
        [`{$request.body#/${provider.callbacks.target.requestField}}`]: callbackPathItem(provider.callbacks),
      },
    };
  }
  return op;
}

/** One delivery report, as an OpenAPI path item the provider calls. */
function callbackPathItem(callbacks: CallbackDefinition): PathItemObject {
  const example = callbacks.render({
    state: 'delivered',
    at: Date.UTC(2026, 0, 15, 8, 21, 47),
    message: {
      to: EXAMPLE_RECIPIENT,
      providerMessageId: 'b90f02bd-1316-49ce-b5d0-f6be14fce2b8',
      callback: { data: 'login:42' },
    },
  });
  const headerParameters: ParameterObject[] = Object.entries(example.headers)
    .filter(([name]) => name !== 'content-type')
    .map(([name, value]) => ({ name, in: 'header', required: true, schema: { type: 'string' }, example: value }));
  const queryParameters: ParameterObject[] = [];
  if (callbacks.query) {
    const schema = jsonSchema(callbacks.query) as { properties?: Record<string, SchemaObject>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      queryParameters.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        schema: property,
        example: example.query?.[name],
      });
    }
  }
  const op: OperationObject = {
    summary: callbacks.summary,
    description:
      `Sent for the states: ${callbacks.states.join(', ')}. Attempts: ${callbacks.delivery.attempts} ` +
      `(${callbacks.delivery.attempts === 1 ? 'never retried' : 'retried on non-2xx'}), ` +
      `${callbacks.delivery.timeoutMs} ms each.` +
      (callbacks.handshake
        ? ' Before the first POST to a URL, a GET verification handshake: ' +
          'the URL must answer 200 with the challenge it was sent, or nothing is posted.'
        : ''),
    ...(headerParameters.length + queryParameters.length > 0 && {
      parameters: [...headerParameters, ...queryParameters],
    }),
    ...(callbacks.body && {
      requestBody: {
        required: true,
        content: { 'application/json': { schema: jsonSchema(callbacks.body), example: example.body } },
      },
    }),
    responses: { '200': { description: 'Any 2xx acknowledges the report' } },
  };
  return { [callbacks.method.toLowerCase()]: op };
}

/**
 * Builds the OpenAPI 3.1 contract of one provider as the simulator serves it.
 * @example
 * const contract = buildContract(providers.find((p) => p.id === 'verihubs')!);
 */
export function buildContract(provider: ProviderDefinition): OpenAPIObject {
  const builder = OpenApiBuilder.create({
    openapi: '3.1.0',
    info: {
      title: `${provider.name} (waotp contract)`,
      version: '1.0.0',
      description: `The ${provider.name} API as waotp simulates it. Vendor documentation: ${provider.docs}`,
    },
    servers: [
      { url: 'http://127.0.0.1:4010', description: 'waotp simulator, documented paths at the root' },
      { url: `http://127.0.0.1:4010/${provider.id}`, description: 'waotp simulator, under the provider prefix' },
    ],
    paths: {},
    components: { securitySchemes: {}, schemas: { Error: jsonSchema(provider.errorSchema) } },
  });
  for (const [name, scheme] of Object.entries(provider.securitySchemes)) {
    // `identifier` is waotp's own note (journal masking), not an OpenAPI field.
    const { identifier: _identifier, ...openapi } = scheme as typeof scheme & { identifier?: true };
    builder.addSecurityScheme(name, openapi);
  }
  for (const endpoint of provider.endpoints) {
    const path = openApiPath(endpoint.path);
    const item: PathItemObject = builder.rootDoc.paths?.[path] ?? {};
    item[endpoint.method.toLowerCase() as 'post'] = operation(provider, endpoint);
    builder.addPath(path, item);
  }
  const doc = builder.getSpec();
  if (provider.callbacks && 'setting' in provider.callbacks.target) {
    doc.webhooks = {
      deliveryStatus: {
        ...callbackPathItem(provider.callbacks),
        description: `Sent to ${provider.callbacks.target.setting}.`,
      },
    };
  }
  return doc;
}

/** JSON with every object's keys sorted, so a regenerated contract differs only where the API did. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}
