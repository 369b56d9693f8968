/**
 * Checks real requests and replies against a contract's JSON with ajv: independent of the zod schemas
 * the contract was generated from, so a bug in one is not hidden by the same bug in the other.
 * @module
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenAPIObject, OperationObject, SecuritySchemeObject } from 'openapi3-ts/oas31';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => void;

export interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface ContractValidator {
  /** The operation a request is for, or undefined when the contract has none. */
  operation(method: string, path: string): { template: string; operation: OperationObject } | undefined;
  /** Problems with a request: unknown operation, missing credentials, a body the schema refuses. */
  checkRequest(request: Exchange): string[];
  /** Problems with a reply: an undocumented status, a body the status's schema refuses. */
  checkReply(method: string, path: string, status: number, body: unknown): string[];
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Creates a validator for one contract; `prefix` (e.g. `/verihubs`) is stripped from request paths.
 * @example
 * const contract = JSON.parse(readFileSync('contracts/verihubs.openapi.json', 'utf8'));
 * const validator = createContractValidator(contract, '/verihubs');
 * validator.checkReply('POST', '/v1/whatsapp/otp/send', 201, body); // [] when it conforms
 */
export function createContractValidator(contract: OpenAPIObject, prefix = ''): ContractValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(contract as object, 'contract');
  const templates = Object.keys(contract.paths ?? {}).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));

  const find = (method: string, rawPath: string) => {
    const path = prefix && rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : rawPath;
    const match = templates.find((t) => t.pattern.test(path));
    const operation =
      match &&
      (contract.paths?.[match.template] as Record<string, OperationObject> | undefined)?.[method.toLowerCase()];
    return match && operation ? { template: match.template, operation } : undefined;
  };

  const check = (ref: string, value: unknown, what: string): string[] => {
    const validate = ajv.getSchema(`contract#/${ref}`) ?? ajv.compile({ $ref: `contract#/${ref}` });
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${what}${e.instancePath || ''} ${e.message ?? 'is invalid'}` +
        `${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
  };

  const credentialsPresent = (operation: OperationObject, headers: Record<string, string>): string[] => {
    const requirements = operation.security ?? contract.security ?? [];
    if (requirements.length === 0) return [];
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const satisfied = requirements.some((requirement) =>
      Object.keys(requirement).every((name) => {
        const scheme = contract.components?.securitySchemes?.[name] as SecuritySchemeObject | undefined;
        if (!scheme) return false;
        if (scheme.type === 'apiKey' && scheme.in === 'header') return Boolean(lower[scheme.name!.toLowerCase()]);
        if (scheme.type === 'http') return new RegExp(`^${scheme.scheme}\\s+\\S`, 'i').test(lower.authorization ?? '');
        return true;
      }),
    );
    return satisfied
      ? []
      : [
          'credentials: none of the security requirements is met ' +
            `(${requirements.map((r) => Object.keys(r).join(' + ')).join(' or ')})`,
        ];
  };

  return {
    operation: find,
    checkRequest({ method, path, headers, body }) {
      const found = find(method, path);
      if (!found) return [`request: the contract has no ${method} ${path}`];
      const problems = credentialsPresent(found.operation, headers);
      const requestBody = found.operation.requestBody as
        | { required?: boolean; content?: Record<string, unknown> }
        | undefined;
      if (requestBody?.content?.['application/json']) {
        const empty =
          body === undefined ||
          body === '' ||
          (typeof body === 'object' && body !== null && Object.keys(body).length === 0 && !requestBody.required);
        if (!(empty && !requestBody.required)) {
          problems.push(
            ...check(
              pointer(
                'paths',
                found.template,
                method.toLowerCase(),
                'requestBody',
                'content',
                'application/json',
                'schema',
              ),
              body,
              'request body',
            ),
          );
        }
      }
      return problems;
    },
    checkReply(method, path, status, body) {
      const found = find(method, path);
      if (!found) return [`reply: the contract has no ${method} ${path}`];
      const response = found.operation.responses?.[String(status)] as { content?: Record<string, unknown> } | undefined;
      if (!response)
        return [
          `reply: status ${status} is not documented for ${method} ${found.template} ` +
            `(documented: ${Object.keys(found.operation.responses ?? {}).join(', ')})`,
        ];
      const type = Object.keys(response.content ?? {})[0];
      if (!type) return [];
      return check(
        pointer('paths', found.template, method.toLowerCase(), 'responses', String(status), 'content', type, 'schema'),
        body,
        `reply ${status} body`,
      );
    },
  };
}
