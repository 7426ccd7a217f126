/**
 * The SDK clients of each target, kept across the invocations of a warm container (one set per
 * account and region, with their connections), instead of new ones, and new sockets, per invocation.
 * Used by `org-handler.ts`, and by the organization bench so that it holds what the handler holds.
 */
export class KeptClients {
  private readonly clients = new Map<string, { provider: unknown; client: { destroy(): void } }>();
  /**
   * A number per credential provider (one provider per account; 0: the function's own), so that
   * each account's client has its own key: clients are used concurrently and must not replace each other.
   */
  private readonly providerIds = new WeakMap<object, number>();
  private providersSeen = 0;

  /**
   * The client kept under `key` when it was made with this `provider` (a client signs with the
   * provider it was made with); otherwise a new one from `make`, replacing (and destroying) the old.
   */
  reuse<T extends { destroy(): void }>(key: string, provider: unknown, make: () => T): T {
    const kept = this.clients.get(key);
    if (kept && kept.provider === provider) return kept.client as T;
    kept?.client.destroy();
    const client = make();
    this.clients.set(key, { provider, client });
    return client;
  }

  /** The key part naming a credential provider: 0 for none (the function's own credentials). */
  providerId(provider: object | undefined): number {
    if (!provider) return 0;
    let id = this.providerIds.get(provider);
    if (id === undefined) {
      this.providersSeen += 1;
      id = this.providersSeen;
      this.providerIds.set(provider, id);
    }
    return id;
  }

  /** Destroys every kept client (their sockets): for a process that ends, such as a bench. */
  destroyAll(): void {
    for (const { client } of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
