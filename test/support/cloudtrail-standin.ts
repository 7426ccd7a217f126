/**
 * A local stand-in for the CloudTrail control plane, beside the Cognito one: a small HTTP server on
 * 127.0.0.1 speaking the AWS JSON 1.1 protocol (`X-Amz-Target: CloudTrail_20131101.<Operation>`), so
 * the unmodified `CloudTrailClient` talks to it through `endpoint`.
 *
 * It serves what cognito-drift calls, as the API reference describes them:
 * - LookupEvents: newest first; MaxResults 1..50 (default 50); at most one lookup attribute
 *   (InvalidLookupAttributesException otherwise); StartTime after EndTime is InvalidTimeRangeException;
 *   opaque NextToken bound to the request (InvalidNextTokenException when reused with other
 *   parameters); the quota of 2 requests per second per account and Region, answered with
 *   `ThrottlingException` ("Rate exceeded", HTTP 400) as CloudTrail's common errors list it.
 * - Resource lookups (`ResourceName`, `ResourceType`): an exact match on a resource a record names
 *   (`recordWrite({ resources })`). CloudTrail does not document which resources it records for
 *   Cognito events, so by default a record names none and a resource lookup finds nothing.
 * - DescribeTrails (shadow trails included unless `includeShadowTrails: false`) and GetTrailStatus.
 * - Faults: any error code, per operation, a number of times.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export type TrailOperation = 'LookupEvents' | 'DescribeTrails' | 'GetTrailStatus';

/** A CloudTrail record as CloudTrail writes it (the `CloudTrailEvent` JSON). */
export type TrailRecord = Record<string, unknown> & {
  eventID: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
};

export interface TrailSeed {
  name: string;
  homeRegion: string;
  multiRegion?: boolean;
  logging?: boolean;
  customEventSelectors?: boolean;
}

export interface TrailFault {
  operation?: TrailOperation;
  error: string;
  message?: string;
  /** @default 1 */
  times?: number;
}

export interface CloudTrailStandinOptions {
  /** LookupEvents quota, requests per second. @default 2 */
  lookupRps?: number;
  /** Enforce the quota. @default true */
  quotas?: boolean;
  latencyMs?: number;
  region?: string;
  accountId?: string;
}

const TARGET_PREFIX = 'CloudTrail_20131101.';
const ATTRIBUTE_KEYS = new Set([
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
]);

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class CloudTrailStandin {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Requests received per operation (throttled and failed ones included). */
  readonly calls: Record<string, number> = {};
  /** The LookupEvents requests as received (parsed JSON bodies), oldest first. */
  readonly lookups: Record<string, unknown>[] = [];
  throttled = 0;
  private readonly server: Server;
  private readonly records: TrailRecord[] = [];
  private readonly trails: TrailSeed[] = [];
  private faults: (TrailFault & { remaining: number })[] = [];
  private readonly tokenKey = randomUUID();
  private rps: number;
  private quotasOn: boolean;
  private latencyMs: number;
  private tokens: number;
  private last = performance.now();

  private constructor(server: Server, endpoint: string, options: CloudTrailStandinOptions) {
    this.server = server;
    this.endpoint = endpoint;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.rps = options.lookupRps ?? 2;
    this.quotasOn = options.quotas ?? true;
    this.latencyMs = options.latencyMs ?? 0;
    this.tokens = this.rps;
  }

  static async start(options: CloudTrailStandinOptions = {}): Promise<CloudTrailStandin> {
    let standin: CloudTrailStandin | undefined;
    const server = createServer((req, res) => standin?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    standin = new CloudTrailStandin(server, `http://127.0.0.1:${port}`, options);
    return standin;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Config for `new CloudTrailClient(...)`: endpoint, region, fake credentials, no retries. */
  clientConfig(overrides: { maxAttempts?: number } = {}) {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'AKIASTANDIN000000000', secretAccessKey: 'standin-secret-key' },
      maxAttempts: 1,
      ...overrides,
    };
  }

  /** Adds a raw CloudTrail record (kept as given; served as the `CloudTrailEvent` string). */
  addRecord(record: TrailRecord): void {
    this.records.push(record);
  }

  /**
   * Adds a successful write event made by `principal` (an IAM user name) in this account, with a
   * realistic record around `requestParameters`.
   */
  recordWrite(options: {
    eventName: string;
    eventSource?: string;
    time: Date;
    user?: string;
    sourceIp?: string;
    userAgent?: string;
    requestParameters?: Record<string, unknown>;
    responseElements?: Record<string, unknown> | null;
    errorCode?: string;
    /** The resources the record names (served as the event's `Resources`, found by a resource lookup). */
    resources?: { type: string; name: string }[];
    /** The record's whole `userIdentity`, for a caller other than an IAM user (see {@link recordDeployment}). */
    userIdentity?: Record<string, unknown>;
  }): TrailRecord {
    const user = options.user ?? 'mallory';
    const record: TrailRecord = {
      eventVersion: '1.08',
      userIdentity: options.userIdentity ?? {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEEXAMPLE01',
        arn: `arn:aws:iam::${this.accountId}:user/${user}`,
        accountId: this.accountId,
        accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
        userName: user,
      },
      eventTime: options.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: options.eventSource ?? 'cognito-idp.amazonaws.com',
      eventName: options.eventName,
      awsRegion: this.region,
      sourceIPAddress: options.sourceIp ?? '198.51.100.7',
      userAgent: options.userAgent ?? 'console.amazonaws.com',
      requestParameters: options.requestParameters ?? null,
      responseElements: options.responseElements ?? null,
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: this.accountId,
      eventCategory: 'Management',
      ...(options.errorCode ? { errorCode: options.errorCode, errorMessage: 'failed' } : {}),
      ...(options.resources
        ? {
            resources: options.resources.map((r) => ({
              accountId: this.accountId,
              type: r.type,
              ARN: r.name,
            })),
          }
        : {}),
    };
    this.records.push(record);
    return record;
  }

  /**
   * Adds a write CloudFormation made for a stack, shaped as CloudTrail records it: the stack's
   * service role (here the CDK bootstrap's execution role) assumed in a session named
   * `AWSCloudFormation`, `userIdentity.invokedBy`, `sourceIPAddress` and `userAgent` all
   * `cloudformation.amazonaws.com`. CloudTrail names no stack in it: the stack is the pool's tag's.
   * `role: false`: a stack without a service role, where CloudFormation acts as the user who deployed.
   */
  recordDeployment(options: {
    eventName: string;
    eventSource?: string;
    time: Date;
    requestParameters?: Record<string, unknown>;
    responseElements?: Record<string, unknown> | null;
    /** The service role's name. @default the CDK bootstrap's execution role */
    role?: string | false;
  }): TrailRecord {
    const service = 'cloudformation.amazonaws.com';
    const role = options.role ?? `cdk-hnb659fds-cfn-exec-role-${this.accountId}-${this.region}`;
    const userIdentity = role
      ? {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLEEXAMPLE01:AWSCloudFormation',
          arn: `arn:aws:sts::${this.accountId}:assumed-role/${role}/AWSCloudFormation`,
          accountId: this.accountId,
          accessKeyId: 'ASIAEXAMPLEEXAMPLE02',
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: 'AROAEXAMPLEEXAMPLE01',
              arn: `arn:aws:iam::${this.accountId}:role/${role}`,
              accountId: this.accountId,
              userName: role,
            },
            attributes: {
              creationDate: options.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
              mfaAuthenticated: 'false',
            },
          },
          invokedBy: service,
        }
      : {
          type: 'IAMUser',
          principalId: 'AIDAEXAMPLEEXAMPLE03',
          arn: `arn:aws:iam::${this.accountId}:user/deployer`,
          accountId: this.accountId,
          accessKeyId: 'ASIAEXAMPLEEXAMPLE03',
          userName: 'deployer',
          invokedBy: service,
        };
    return this.recordWrite({ ...options, userIdentity, sourceIp: service, userAgent: service });
  }

  addTrail(trail: TrailSeed): void {
    this.trails.push(trail);
  }

  failNext(fault: TrailFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Forgets every record, so one test's events are not another's. */
  clearRecords(): void {
    this.records.length = 0;
  }

  resetStats(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.lookups.length = 0;
    this.throttled = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '(none)';
      this.calls[operation] = (this.calls[operation] ?? 0) + 1;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return this.send(res, 400, { __type: 'SerializationException', message: 'bad JSON' });
      }
      try {
        const answer = this.dispatch(operation, body);
        setTimeout(() => this.send(res, 200, answer), this.latencyMs);
      } catch (error) {
        const e =
          error instanceof ServiceError ? error : new ServiceError('InternalFailure', String(error), 500);
        setTimeout(() => this.send(res, e.status, { __type: e.type, message: e.message }), this.latencyMs);
      }
    });
  }

  private dispatch(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    if (operation === 'LookupEvents') {
      this.lookups.push(body);
      if (this.quotasOn && !this.takeToken()) {
        this.throttled += 1;
        throw new ServiceError('ThrottlingException', 'Rate exceeded');
      }
    }
    const fault = this.faults.find((f) => f.remaining > 0 && (f.operation ?? operation) === operation);
    if (fault) {
      fault.remaining -= 1;
      this.faults = this.faults.filter((f) => f.remaining > 0);
      throw new ServiceError(fault.error, fault.message ?? `${fault.error} (injected)`);
    }
    switch (operation) {
      case 'LookupEvents':
        return this.lookupEvents(body);
      case 'DescribeTrails':
        return this.describeTrails(body);
      case 'GetTrailStatus':
        return this.getTrailStatus(body);
      default:
        throw new ServiceError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  private takeToken(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.rps, this.tokens + ((now - this.last) / 1000) * this.rps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private lookupEvents(body: Record<string, unknown>): Record<string, unknown> {
    const max = body.MaxResults ?? 50;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50)
      throw new ServiceError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    const attributes = (body.LookupAttributes ?? []) as { AttributeKey?: string; AttributeValue?: string }[];
    if (attributes.length > 1)
      throw new ServiceError(
        'InvalidLookupAttributesException',
        'You can specify only one lookup attribute.',
      );
    const attribute = attributes[0];
    if (attribute && (!ATTRIBUTE_KEYS.has(attribute.AttributeKey ?? '') || !attribute.AttributeValue))
      throw new ServiceError('InvalidLookupAttributesException', 'Lookup attribute is not valid.');
    const start = typeof body.StartTime === 'number' ? body.StartTime * 1000 : Number.NEGATIVE_INFINITY;
    const end = typeof body.EndTime === 'number' ? body.EndTime * 1000 : Number.POSITIVE_INFINITY;
    if (start > end) throw new ServiceError('InvalidTimeRangeException', 'Start time is after end time.');
    const { NextToken: _token, ...request } = body;
    const key = JSON.stringify(request);
    let offset = 0;
    if (typeof body.NextToken === 'string') {
      const [mac, at] = body.NextToken.split('.');
      if (mac !== this.sign(key, at ?? ''))
        throw new ServiceError('InvalidNextTokenException', 'Invalid token.');
      offset = Number(at);
    }
    const matching = this.records
      .filter((r) => {
        const time = Date.parse(r.eventTime);
        return (
          time >= start &&
          time <= end &&
          (!attribute || this.matches(r, attribute.AttributeKey ?? '', attribute.AttributeValue ?? ''))
        );
      })
      .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? offset + max : undefined;
    return {
      Events: page.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly ?? false),
        EventTime: Date.parse(r.eventTime) / 1000,
        EventSource: r.eventSource,
        Username: (r.userIdentity as { userName?: string } | undefined)?.userName,
        Resources: recordedResources(r).map((x) => ({ ResourceType: x.type, ResourceName: x.ARN })),
        CloudTrailEvent: JSON.stringify(r),
      })),
      ...(next === undefined ? {} : { NextToken: `${this.sign(key, String(next))}.${next}` }),
    };
  }

  private matches(record: TrailRecord, key: string, value: string): boolean {
    switch (key) {
      case 'EventName':
        return record.eventName === value;
      case 'EventSource':
        return record.eventSource === value;
      case 'EventId':
        return record.eventID === value;
      case 'Username':
        return (record.userIdentity as { userName?: string } | undefined)?.userName === value;
      case 'ReadOnly':
        return String(record.readOnly ?? false) === value;
      case 'ResourceName':
        return recordedResources(record).some((r) => r.ARN === value);
      case 'ResourceType':
        return recordedResources(record).some((r) => r.type === value);
      default:
        return false;
    }
  }

  private sign(key: string, offset: string): string {
    return createHmac('sha256', this.tokenKey).update(`${key}#${offset}`).digest('hex').slice(0, 24);
  }

  private describeTrails(body: Record<string, unknown>): Record<string, unknown> {
    const shadows = body.includeShadowTrails !== false;
    return {
      trailList: this.trails
        .filter((t) => shadows || t.homeRegion === this.region)
        .map((t) => ({
          Name: t.name,
          TrailARN: `arn:aws:cloudtrail:${t.homeRegion}:${this.accountId}:trail/${t.name}`,
          HomeRegion: t.homeRegion,
          IsMultiRegionTrail: t.multiRegion ?? false,
          HasCustomEventSelectors: t.customEventSelectors ?? false,
          S3BucketName: 'trail-bucket',
        })),
    };
  }

  private getTrailStatus(body: Record<string, unknown>): Record<string, unknown> {
    const name = String(body.Name ?? '');
    const trail = this.trails.find((t) => name === t.name || name.endsWith(`:trail/${t.name}`));
    if (!trail) throw new ServiceError('TrailNotFoundException', `Unknown trail: ${name}`);
    return { IsLogging: trail.logging ?? true };
  }

  private send(res: ServerResponse, status: number, payload: Record<string, unknown>): void {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
      ...(typeof payload.__type === 'string' ? { 'x-amzn-ErrorType': payload.__type } : {}),
    });
    res.end(text);
  }
}

/** The resources a record names (`resources: [{ type, ARN }]`), none when it names none. */
function recordedResources(record: TrailRecord): { type: string; ARN: string }[] {
  const list = record.resources;
  if (!Array.isArray(list)) return [];
  return list.flatMap((r: unknown) => {
    const { type, ARN } = (r ?? {}) as { type?: unknown; ARN?: unknown };
    return typeof type === 'string' && typeof ARN === 'string' ? [{ type, ARN }] : [];
  });
}
