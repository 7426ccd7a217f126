/**
 * Alerted drift as AWS Security Finding Format (ASFF) findings for Security Hub, and what to import
 * given what Security Hub already holds. Pure: the adapter reads and writes.
 *
 * One finding per alerted change, with an Id stable for the same change of the same thing in the same
 * pool, so a finding is imported once and updated in place: its `UpdatedAt` moves only when its
 * content changed. A finding whose drift is gone (reverted, approved, pool deleted) is imported again
 * as `RecordState: ARCHIVED`, `Compliance.Status: PASSED`, upon which Security Hub sets its workflow
 * status to RESOLVED (a finding provider may not set `Workflow` itself once a finding exists).
 */

import type { AwsSecurityFinding, Partition, SeverityLabel } from '@aws-sdk/client-securityhub';
import { sizedBatches } from './batches.js';
import { contentHash } from './canonical.js';
import { escapeControl } from './escape.js';
import { poolArn, type SinkFinding, type SinkPoolDrift, type SinkReport } from './finding-sinks.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** BatchImportFindings: up to 100 findings, 240 KB each, 6 MB per call. */
export const MAX_FINDINGS_PER_IMPORT = 100;
export const MAX_FINDING_BYTES = 240 * 1024;
export const MAX_IMPORT_BYTES = 6 * 1024 * 1024;
/** ASFF string limits: Title 256, Description 1024, Recommendation.Text 512 characters. */
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;
const MAX_RECOMMENDATION = 512;
const MAX_DETAIL_VALUE = 1024;
/** Where each finding keeps the hash of its content, to tell a changed finding from the same one. */
export const CONTENT_HASH_FIELD = 'cognito-drift/ContentHash';
/** Every finding's GeneratorId starts so (then the rule): how the adapter finds its own among others. */
export const GENERATOR_PREFIX = 'cognito-drift/';
const FINDING_TYPE =
  'Software and Configuration Checks/AWS Security Best Practices/Cognito configuration drift';

/** The product ARN of findings an account imports about itself (the "default" product). */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** A finding as built, before {@link planImport} dates it. */
export type DesiredFinding = Omit<AwsSecurityFinding, 'CreatedAt' | 'UpdatedAt'>;

/** One pool to reconcile: the findings it should have active (none when its drift is resolved). */
export interface PoolFindings {
  poolId: string;
  poolArn: string;
  findings: DesiredFinding[];
}

/**
 * The findings each pool of the report should hold, timestamps left to {@link planImport}: the
 * alerted pools with one finding per change, the resolved pools with none.
 */
export function desiredFindings(report: SinkReport, partition: string): PoolFindings[] {
  const product = productArn(partition, report.region, report.accountId);
  const pools: PoolFindings[] = report.drifts.map((drift) => {
    const arn = poolArn(partition, report.region, report.accountId, drift.poolId);
    return {
      poolId: drift.poolId,
      poolArn: arn,
      findings: drift.findings.map((f) => toAsff(report, drift, f, { arn, product, partition })),
    };
  });
  for (const pool of report.resolved) {
    pools.push({
      poolId: pool.poolId,
      poolArn: poolArn(partition, report.region, report.accountId, pool.poolId),
      findings: [],
    });
  }
  return pools;
}

function toAsff(
  report: SinkReport,
  drift: SinkPoolDrift,
  finding: SinkFinding,
  at: { arn: string; product: string; partition: string },
): DesiredFinding {
  const where = [
    finding.clientName !== undefined ? `app client ${finding.clientName} (${finding.clientId})` : undefined,
    finding.resourceName !== undefined ? `${finding.surface} ${finding.resourceName}` : undefined,
  ].filter(Boolean);
  const description = [
    `${finding.summary}.`,
    `Pool ${drift.poolName} (${drift.poolId})${where.length > 0 ? `, ${where.join(', ')}` : ''}; differs from the approved baseline.`,
    finding.author ? `Changed ${finding.author.line}.` : 'Author not looked up.',
  ].join(' ');
  const other: Record<string, string> = {
    PoolId: drift.poolId,
    PoolName: drift.poolName,
    ...(finding.clientId !== undefined ? { ClientId: finding.clientId } : {}),
    ...(finding.clientName !== undefined ? { ClientName: finding.clientName } : {}),
    ...(finding.surface !== undefined ? { Surface: finding.surface } : {}),
    ...(finding.resourceId !== undefined ? { ResourceId: finding.resourceId } : {}),
    ...(finding.resourceName !== undefined ? { ResourceName: finding.resourceName } : {}),
    ...(finding.path !== undefined ? { Path: finding.path } : {}),
    ...(finding.author?.principalArn ? { ChangedBy: finding.author.principalArn } : {}),
  };
  const label = finding.severity as SeverityLabel;
  const content: DesiredFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `${at.arn}/cognito-drift/${finding.id}`,
    ProductArn: at.product,
    GeneratorId: `${GENERATOR_PREFIX}${finding.rule}`,
    AwsAccountId: report.accountId,
    Region: report.region,
    Types: [FINDING_TYPE],
    Severity: { Label: label, Original: finding.severity },
    FindingProviderFields: {
      Severity: { Label: label, Original: finding.severity },
      Types: [FINDING_TYPE],
    },
    Title: bounded(`Cognito drift: ${finding.summary}`, MAX_TITLE),
    Description: bounded(description, MAX_DESCRIPTION),
    Remediation: {
      Recommendation: {
        Text: bounded(
          `If the change was not expected, revert it. If it was, approve the pool's current state: ${drift.approveCommand}`,
          MAX_RECOMMENDATION,
        ),
      },
    },
    ProductFields: { 'cognito-drift/Rule': finding.rule, 'cognito-drift/Kind': finding.kind },
    Resources: [
      {
        Type: 'Other',
        Id: at.arn,
        Partition: at.partition as Partition,
        Region: report.region,
        Details: {
          Other: Object.fromEntries(Object.entries(other).map(([k, v]) => [k, bounded(v, MAX_DETAIL_VALUE)])),
        },
      },
    ],
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
  };
  const hash = contentHash(content);
  content.ProductFields = { ...content.ProductFields, [CONTENT_HASH_FIELD]: hash };
  return content;
}

/**
 * What to import for one pool, given its findings Security Hub holds active (this product's, on this
 * pool): a new finding is created (`CreatedAt` now); a changed one keeps its `CreatedAt` and
 * `FirstObservedAt` and gets `UpdatedAt` now; an unchanged one is left alone (nothing imported, so
 * `UpdatedAt` does not move); an active one no longer wanted is archived with compliance PASSED.
 */
export function planImport(
  pool: PoolFindings,
  existing: readonly AwsSecurityFinding[],
  now: string,
): AwsSecurityFinding[] {
  const held = new Map(existing.map((f) => [f.Id, f]));
  const imports: AwsSecurityFinding[] = [];
  const wanted = new Set<string>();
  for (const finding of pool.findings) {
    wanted.add(finding.Id as string);
    const before = held.get(finding.Id);
    if (before && before.ProductFields?.[CONTENT_HASH_FIELD] === finding.ProductFields?.[CONTENT_HASH_FIELD])
      continue;
    imports.push({
      ...finding,
      CreatedAt: before?.CreatedAt ?? now,
      FirstObservedAt: before?.FirstObservedAt ?? before?.CreatedAt ?? now,
      LastObservedAt: now,
      UpdatedAt: now,
    });
  }
  for (const before of existing) {
    if (wanted.has(before.Id as string)) continue;
    imports.push(archived(before, now));
  }
  return imports;
}

/** A held finding imported again as archived and passed: only the fields an import needs. */
function archived(finding: AwsSecurityFinding, now: string): AwsSecurityFinding {
  return {
    SchemaVersion: finding.SchemaVersion,
    Id: finding.Id,
    ProductArn: finding.ProductArn,
    GeneratorId: finding.GeneratorId,
    AwsAccountId: finding.AwsAccountId,
    ...(finding.Region ? { Region: finding.Region } : {}),
    Types: finding.Types,
    CreatedAt: finding.CreatedAt,
    ...(finding.FirstObservedAt ? { FirstObservedAt: finding.FirstObservedAt } : {}),
    UpdatedAt: now,
    Severity: finding.Severity,
    ...(finding.FindingProviderFields ? { FindingProviderFields: finding.FindingProviderFields } : {}),
    Title: finding.Title,
    Description: finding.Description,
    ...(finding.ProductFields ? { ProductFields: finding.ProductFields } : {}),
    Resources: finding.Resources,
    Compliance: { Status: 'PASSED' },
    RecordState: 'ARCHIVED',
  } as AwsSecurityFinding;
}

/** The findings in BatchImportFindings calls: at most 100 and 6 MB each; a finding over 240 KB is refused. */
export function importBatches(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  return sizedBatches(findings, {
    maxItems: MAX_FINDINGS_PER_IMPORT,
    maxBytes: MAX_IMPORT_BYTES,
    maxItemBytes: MAX_FINDING_BYTES,
    sizeOf: (finding) => Buffer.byteLength(JSON.stringify(finding)),
    tooLarge: (finding, size) =>
      new RangeError(`finding ${finding.Id} is ${size} bytes, over the 240 KB limit`),
  });
}

function bounded(text: string, max: number): string {
  const clean = escapeControl(text);
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
