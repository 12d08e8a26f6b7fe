type Handler = (payload: unknown) => void;

/** Subscription ids per trigger, shared by the backends that multiplex one connection. */
export class SubscriptionRegistry {
  private nextId = 1;
  private readonly byId = new Map<number, { triggerName: string; onMessage: Handler }>();

  /** Returns the id, and whether this is the trigger's first subscriber (so the caller listens). */
  add(triggerName: string, onMessage: Handler): { id: number; first: boolean } {
    const first = !this.hasTrigger(triggerName);
    const id = this.nextId++;
    this.byId.set(id, { triggerName, onMessage });
    return { id, first };
  }

  /** Returns the trigger whose last subscriber this was (so the caller stops listening), if any. */
  remove(id: number): string | undefined {
    const entry = this.byId.get(id);
    this.byId.delete(id);
    return entry && !this.hasTrigger(entry.triggerName) ? entry.triggerName : undefined;
  }

  triggers(): string[] {
    return [...new Set([...this.byId.values()].map((entry) => entry.triggerName))];
  }

  ids(): number[] {
    return [...this.byId.keys()];
  }

  /** Calls every handler of the trigger; one failing handler does not starve the others. */
  dispatch(triggerName: string, payload: unknown, onError: (error: unknown) => void): void {
    for (const entry of this.byId.values()) {
      if (entry.triggerName === triggerName) {
        try {
          entry.onMessage(payload);
        } catch (error) {
          onError(error);
        }
      }
    }
  }

  private hasTrigger(triggerName: string): boolean {
    return [...this.byId.values()].some((entry) => entry.triggerName === triggerName);
  }
}
