import { DetectorHarness, FakeAccount, type FakeClient, type FakePool } from '../support/fake-aws.js';

/**
 * The start of most detector tests: a fake account, the pools `add` creates in it, and a first run
 * already done (their baseline recorded, its notice cleared from what was published).
 */
export async function watchedAccount<T extends object>(
  add: (aws: FakeAccount) => T,
): Promise<{ aws: FakeAccount; harness: DetectorHarness } & T> {
  const aws = new FakeAccount();
  const harness = new DetectorHarness(aws);
  const added = add(aws);
  await harness.run();
  aws.published.length = 0;
  return { aws, harness, ...added };
}

/** The pool `customers` with its public client `web`. */
export function addCustomers(aws: FakeAccount): { pool: FakePool; web: FakeClient } {
  const pool = aws.addPool({ name: 'customers' });
  return { pool, web: aws.addClient(pool.poolId, { name: 'web' }) };
}

/** A second pool, `staff`, with its client `intranet`. */
export function addStaff(aws: FakeAccount): FakePool {
  const staff = aws.addPool({ name: 'staff' });
  aws.addClient(staff.poolId, { name: 'intranet' });
  return staff;
}
