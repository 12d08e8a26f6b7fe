import type { INestApplicationContext, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

/**
 * For an app whose close() hangs: runs the first step of close(), every provider's onModuleDestroy,
 * all at once and not awaited (one of them may be what hangs). In this app that hook is where
 * background work stops (loops, pollers, timers), while connections close later, in
 * onApplicationShutdown; so every loop stops, including loops added later, without naming them.
 * Module classes are left out: a library module's hook is no loop (GraphQLModule's stops its
 * server, and the close that may follow then fails). Work already under way finishes or fails on its own.
 */
export function stopBackgroundWork(app: INestApplicationContext): void {
  const instances = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const [token, provider] of module.providers) {
      if (token !== module.metatype) {
        instances.add(provider.instance);
      }
    }
  }
  for (const instance of instances) {
    const destroyable = instance as Partial<OnModuleDestroy> | null | undefined;
    if (typeof destroyable?.onModuleDestroy !== 'function') {
      continue;
    }
    try {
      void Promise.resolve(destroyable.onModuleDestroy()).catch(() => undefined);
    } catch {
      // Its hook threw at once: the others still stop.
    }
  }
}
