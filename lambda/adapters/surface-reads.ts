import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { forEachConcurrently } from '../concurrency.js';
import { type AccountRead, type CatalogService, kindApplies, type SendOperation } from '../core/catalog.js';
import type { PartialPoolRead, UnreadableSurface } from '../core/ports.js';
import type { PoolSnapshot, SurfaceSnapshot } from '../core/types.js';
import { errorReason } from '../errors.js';
import { POOL_SURFACES } from '../surfaces/index.js';
import type { Surface } from '../surfaces/surface.js';
import type { PacedClient, ReadPacing } from './read-pacing.js';

/**
 * Which client sends each catalog service's operations. The command itself comes with the
 * operation (the surface declares it): the reader keeps no table of operations.
 */
const CLIENT_OF: Readonly<Record<CatalogService, ClientName>> = {
  'cognito-idp': 'cognito',
  'cognito-identity': 'identity',
  wafv2: 'wafv2',
  lambda: 'lambda',
  iam: 'iam',
  kms: 'kms',
};

/** The clients a reader sends through, one per catalog service. */
export type ClientName = 'cognito' | 'identity' | 'wafv2' | 'lambda' | 'iam' | 'kms';

/** A client the reader can send through: every SDK client fits. */
export interface SendingClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  middlewareStack: PacedClient['middlewareStack'];
}

/** A surface read that failed, with the operation that failed (for "scan incomplete: <operation> on <pool>"). */
export class SurfaceOperationError extends Error {
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`${operation} failed`);
    this.name = 'SurfaceOperationError';
  }
}

/**
 * The reader's reads of the watched surfaces (the catalog's kinds besides pools and clients): each
 * operation sent through the client of its service, and account-level and shared reads made once
 * and shared by the pools.
 */
export class SurfaceReads {
  /** The surfaces read: requested, and with the clients they need. */
  readonly surfaces: readonly Surface[];
  /**
   * This reader's answers to account-level and shared reads, by the read's name: a reader serves
   * one target for one invocation, so each is read once per run (per invocation of a long run) and
   * shared by its pools.
   */
  private readonly sharedAnswers = new Map<string, Promise<unknown>>();
  /**
   * The shared answers about one pool (`AccountRead.poolId`), by pool, for the pools being read:
   * dropped when the pool's read ends, so that what a run holds does not grow with the pools read.
   */
  private readonly poolAnswers = new Map<string, Map<string, Promise<unknown>>>();

  /**
   * @param accountReads whether account-level reads (web ACL associations) are answered from one
   * listing per run.
   */
  constructor(
    private readonly clients: Readonly<Record<ClientName, SendingClient | undefined>>,
    wanted: ReadonlySet<string>,
    private readonly accountReads: boolean,
    private readonly pacing: ReadPacing,
  ) {
    this.surfaces = POOL_SURFACES.filter(
      (s) => wanted.has(s.name) && s.operations.every((op) => this.clients[CLIENT_OF[op.service]]),
    );
  }

  /** Sends one surface operation through its client (and so through the pacing middleware). */
  send(signal: AbortSignal | undefined): SendOperation {
    return async (operation, input) => {
      const client = this.clients[CLIENT_OF[operation.service]];
      if (!client) throw new Error(`no ${operation.service} client for ${operation.name}`);
      try {
        return (await client.send(new operation.command(input), { abortSignal: signal })) as never;
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new SurfaceOperationError(operation.name, error);
      }
    };
  }

  /**
   * An account-level read, made on first use and then shared: a failure is shared too, so every pool
   * that needs it reports its surface unreadable (never "nothing there"). Sent without a pool's abort
   * signal, since the answer outlives the pool that asked first.
   */
  private sharedRead<T>(read: AccountRead<T>): Promise<T> {
    const answers = read.poolId === undefined ? this.sharedAnswers : this.poolAnswers.get(read.poolId);
    // About a pool that is not being read (nothing would drop it): read, not kept.
    if (!answers) return read.read(this.send(undefined));
    let answer = answers.get(read.name);
    if (!answer) {
      answer = read.read(this.send(undefined));
      // Observed here so a failure read ahead of any pool is no unhandled rejection; each pool
      // that awaits it still gets the error.
      answer.catch(() => undefined);
      answers.set(read.name, answer);
    }
    return answer as Promise<T>;
  }

  /** A pool's read starts: the reads about it that its surfaces share are kept from now on. */
  poolStarted(poolId: string): void {
    this.poolAnswers.set(poolId, new Map());
  }

  /** A pool's read ended: the reads about it are dropped (the next read of it reads again). */
  poolEnded(poolId: string): void {
    this.poolAnswers.delete(poolId);
  }

  /** Starts the account-level reads (once per run), so they run alongside the pools' own reads. */
  startAccountReads(): void {
    if (this.accountReads)
      for (const surface of this.surfaces)
        for (const read of surface.accountReads ?? []) this.sharedRead(read);
  }

  /**
   * Reads each watched surface of the pool into `read`. A surface whose read fails is left out (the
   * detector keeps its baseline) and reported with the operation that failed; the others still count.
   * A watched surface in `resume` was read by an earlier invocation of the run and is not read
   * again; each read completes into `read`, so an interruption keeps it.
   */
  async readSurfaces(
    poolId: string,
    raw: UserPoolType,
    clients: readonly { clientId: string; clientName: string }[],
    signal: AbortSignal | undefined,
    resume: PartialPoolRead | undefined,
    read: Record<string, SurfaceSnapshot>,
  ): Promise<UnreadableSurface[]> {
    if (this.surfaces.length === 0) return [];
    this.pacing.domainsOf(poolId, [raw.Domain, raw.CustomDomain]);
    const ctx = {
      poolId,
      pool: raw,
      clients,
      send: this.send(signal),
      sharedRead: <T>(read: AccountRead<T>) => this.sharedRead(read),
      ...(this.accountReads ? { accountRead: <T>(read: AccountRead<T>) => this.sharedRead(read) } : {}),
    };
    const unreadable: UnreadableSurface[] = [];
    const pending = this.surfaces.filter((surface) => {
      // A kind without effect in this pool (`readOnlyWhen`) is not read: it holds nothing here.
      const earlier = resume?.surfaces?.[surface.name] ?? (kindApplies(surface, { ...raw }) ? undefined : {});
      if (earlier) read[surface.name] = earlier;
      return !earlier;
    });
    await forEachConcurrently(pending, pending.length, async (surface) => {
      try {
        read[surface.name] = await surface.read(ctx);
      } catch (error) {
        if (signal?.aborted) throw error;
        delete read[surface.name];
        // Anything but the operation's own failure (a bug in a surface's read) is reported as such.
        const operation = error instanceof SurfaceOperationError ? error.operation : surface.name;
        const cause = error instanceof SurfaceOperationError ? error.cause : error;
        unreadable.push({ surface: surface.name, operation, reason: errorReason(cause) });
      }
    });
    return unreadable.sort((a, b) => a.surface.localeCompare(b.surface));
  }

  /**
   * Reads the surfaces that follow an identity pool's references (its IAM roles) into
   * `pool.surfaces`; a surface whose read fails is reported, as for a user pool.
   */
  async readUnitSurfaces(pool: PoolSnapshot, signal: AbortSignal | undefined) {
    const unreadable: UnreadableSurface[] = [];
    const ctx = {
      poolId: pool.poolId,
      config: pool.config,
      send: this.send(signal),
      sharedRead: <T>(read: AccountRead<T>) => this.sharedRead(read),
    };
    for (const surface of this.surfaces) {
      if (!surface.readUnit) continue;
      try {
        pool.surfaces = { ...pool.surfaces, [surface.name]: await surface.readUnit(ctx) };
      } catch (error) {
        if (signal?.aborted) throw error;
        const operation = error instanceof SurfaceOperationError ? error.operation : surface.name;
        const cause = error instanceof SurfaceOperationError ? error.cause : error;
        unreadable.push({ surface: surface.name, operation, reason: errorReason(cause) });
      }
    }
    return unreadable;
  }
}
