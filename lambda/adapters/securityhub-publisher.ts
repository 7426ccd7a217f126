import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { desiredFindings, GENERATOR_PREFIX, importBatches, planImport, productArn } from '../core/asff.js';
import type { FindingSink, SinkReport } from '../core/finding-sinks.js';
import { FindingSinkError } from '../errors.js';
import { quotaOf } from './quotas.js';
import { type Clock, Pacer, systemClock, TokenBucket } from './rate-limiter.js';

/** GetFindings returns at most 100 per page. */
const PAGE_SIZE = 100;
/** Pages read per pool at most: a pool with more active findings of ours than this is a bug, not a state. */
const MAX_PAGES = 20;

/**
 * Imports alerted drift into Security Hub as ASFF findings and archives the findings of resolved
 * drift (see `core/asff.ts`). For each pool of the alert it first reads the findings it already
 * holds there (GetFindings: this account's default product, generator `cognito-drift/…`, the pool's
 * ARN, active), so an unchanged finding is not imported again. Calls are paced to their quotas.
 */
export class SecurityHubPublisher implements FindingSink {
  readonly name = 'securityhub';
  readonly stats = { requests: 0, imported: 0 };
  private readonly pacer: Pacer;
  private readonly reads: TokenBucket;
  private readonly imports: TokenBucket;

  constructor(
    private readonly client: SecurityHubClient,
    /** The AWS partition of the account, for ARNs. */
    private readonly partition: string,
    private readonly now: () => Date,
    options: { clock?: Clock; quotaShare?: number } = {},
  ) {
    const share = options.quotaShare ?? 1;
    this.pacer = new Pacer(options.clock ?? systemClock);
    this.reads = new TokenBucket(quotaOf('GetFindings').rps * share);
    this.imports = new TokenBucket(quotaOf('BatchImportFindings').rps * share);
  }

  async publish(report: SinkReport): Promise<void> {
    const at = this.now().toISOString();
    const product = productArn(this.partition, report.region, report.accountId);
    const imports: AwsSecurityFinding[] = [];
    for (const pool of desiredFindings(report, this.partition)) {
      imports.push(...planImport(pool, await this.held(product, pool.poolArn), at));
    }
    for (const batch of importBatches(imports)) {
      await this.pacer.acquire([this.imports]);
      this.stats.requests += 1;
      const out = await this.client.send(new BatchImportFindingsCommand({ Findings: batch }));
      this.stats.imported += batch.length - (out.FailedCount ?? 0);
      if ((out.FailedCount ?? 0) > 0) {
        const codes = [...new Set((out.FailedFindings ?? []).map((f) => f.ErrorCode ?? 'unknown'))].sort();
        throw new FindingSinkError(
          `Security Hub refused ${out.FailedCount} of ${batch.length} findings (${codes.join(', ')})`,
        );
      }
    }
  }

  /** This product's active cognito-drift findings on one pool. */
  private async held(product: string, resourceArn: string): Promise<AwsSecurityFinding[]> {
    const findings: AwsSecurityFinding[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      await this.pacer.acquire([this.reads]);
      this.stats.requests += 1;
      const out = await this.client.send(
        new GetFindingsCommand({
          Filters: {
            ProductArn: [{ Value: product, Comparison: 'EQUALS' }],
            GeneratorId: [{ Value: GENERATOR_PREFIX, Comparison: 'PREFIX' }],
            ResourceId: [{ Value: resourceArn, Comparison: 'EQUALS' }],
            RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
          },
          MaxResults: PAGE_SIZE,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      findings.push(...(out.Findings ?? []));
      token = out.NextToken;
      if (!token) return findings;
    }
    throw new FindingSinkError(`More than ${MAX_PAGES * PAGE_SIZE} active findings on ${resourceArn}`);
  }
}
