/**
 * The stand-in's side of the two protocols that name no `X-Amz-Target`: Lambda's REST-JSON (the
 * operation is in the method and path) and IAM's query protocol (a form with `Action`, answered in
 * XML). Requests become the operation and JSON body every other service already gives the stand-in;
 * answers and errors go back as each service sends them. KMS speaks JSON 1.1 with a target and needs
 * none of this.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { SurfaceService } from './cognito-surface.js';

type Json = Record<string, unknown>;

/** A request decoded from a protocol without a target. */
export interface WireRequest {
  service: 'lambda' | 'iam';
  operation: string;
  body: Json;
}

const LAMBDA_FUNCTION = /^\/2015-03-31\/functions\/([^/]+)\/(configuration|policy)$/;
const LAMBDA_OPERATION: Readonly<Record<string, string>> = {
  configuration: 'GetFunctionConfiguration',
  policy: 'GetPolicy',
};
/** IAM's numeric request fields (everything else in the form is a string). */
const IAM_NUMBERS = new Set(['MaxItems']);

/** The Lambda or IAM request `req` carries, or undefined for a JSON-target request. */
export function decodeWireRequest(req: IncomingMessage, raw: string): WireRequest | undefined {
  const url = new URL(req.url ?? '/', 'http://standin');
  const lambda = LAMBDA_FUNCTION.exec(url.pathname);
  if (lambda && req.method === 'GET') {
    const body: Json = { FunctionName: decodeURIComponent(lambda[1] ?? '') };
    const qualifier = url.searchParams.get('Qualifier');
    if (qualifier) body.Qualifier = qualifier;
    return { service: 'lambda', operation: LAMBDA_OPERATION[lambda[2] ?? ''] ?? '(none)', body };
  }
  const type = String(req.headers['content-type'] ?? '');
  if (
    req.method === 'POST' &&
    !req.headers['x-amz-target'] &&
    type.startsWith('application/x-www-form-urlencoded')
  ) {
    const form = new URLSearchParams(raw);
    const operation = form.get('Action');
    if (!operation || form.get('Version') !== '2010-05-08') return undefined;
    const body: Json = {};
    for (const [key, value] of form) {
      if (key === 'Action' || key === 'Version') continue;
      body[key] = IAM_NUMBERS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
    }
    return { service: 'iam', operation, body };
  }
  return undefined;
}

/** The name each service gives an error the stand-in raises under the Cognito name. */
const ERROR_NAMES: Partial<Record<SurfaceService, Readonly<Record<string, string>>>> = {
  iam: {
    ResourceNotFoundException: 'NoSuchEntity',
    AccessDeniedException: 'AccessDenied',
    TooManyRequestsException: 'Throttling',
    ThrottlingException: 'Throttling',
  },
  kms: { ResourceNotFoundException: 'NotFoundException', TooManyRequestsException: 'ThrottlingException' },
  lambda: { ThrottlingException: 'TooManyRequestsException' },
};

/** `type` as `service` names it (IAM's `NoSuchEntity`, KMS's `NotFoundException`, ...). */
export function serviceErrorName(service: SurfaceService | undefined, type: string): string {
  return (service ? ERROR_NAMES[service]?.[type] : undefined) ?? type;
}

/** How `service` puts `payload` (an answer, or `{ __type, message }`) on the wire, when it is not JSON 1.1. */
export function encodeWireResponse(
  service: SurfaceService | undefined,
  operation: string,
  payload: Json,
  requestId: string,
): { contentType: string; text: string; errorType?: string } | undefined {
  const type = typeof payload.__type === 'string' ? payload.__type : undefined;
  if (service === 'lambda') {
    if (!type) return { contentType: 'application/json', text: JSON.stringify(payload) };
    return {
      contentType: 'application/json',
      text: JSON.stringify({ Type: 'User', Message: payload.message ?? type }),
      errorType: type,
    };
  }
  if (service !== 'iam') return undefined;
  const ns = 'https://iam.amazonaws.com/doc/2010-05-08/';
  if (type) {
    const message = typeof payload.message === 'string' ? payload.message : type;
    return {
      contentType: 'text/xml',
      text: `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${xmlText(type)}</Code><Message>${xmlText(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    contentType: 'text/xml',
    text: `<${operation}Response xmlns="${ns}"><${operation}Result>${xmlOf(payload)}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

/** IAM's XML: an element per field, a list as `<member>` items. */
function xmlOf(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `<member>${xmlOf(item)}</member>`).join('');
  if (value !== null && typeof value === 'object')
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${xmlOf(v)}</${k}>`)
      .join('');
  return xmlText(String(value));
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
