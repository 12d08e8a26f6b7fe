import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

const HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;

/**
 * Wraps every provider's and module's shutdown hooks so that, should close() hang, the hooks that
 * started and never finished can be named ("DeliveryReportIntake.onModuleDestroy"). Call it just
 * before close(); the returned function lists the hooks under way at that moment. `onStart` hears of
 * each hook as it starts.
 */
export function watchShutdownHooks(
  app: INestApplicationContext,
  onStart: (hook: string) => void = () => undefined,
): () => string[] {
  const underWay = new Map<symbol, string>();
  const instances = new Set<object>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of [...module.providers.values(), ...module.controllers.values()]) {
      if (wrapper.instance && typeof wrapper.instance === 'object') {
        instances.add(wrapper.instance);
      }
    }
  }
  for (const instance of instances) {
    for (const hook of HOOKS) {
      const target = instance as Record<string, unknown>;
      const real = target[hook];
      if (typeof real !== 'function') {
        continue;
      }
      const name = `${instance.constructor?.name ?? 'anonymous'}.${hook}`;
      target[hook] = (...args: unknown[]): unknown => {
        const key = Symbol(name);
        underWay.set(key, name);
        onStart(name);
        try {
          const result: unknown = (real as (...a: unknown[]) => unknown).apply(instance, args);
          if (result instanceof Promise) {
            return result.finally(() => underWay.delete(key));
          }
          underWay.delete(key);
          return result;
        } catch (error) {
          underWay.delete(key);
          throw error;
        }
      };
    }
  }
  return () => [...new Set(underWay.values())];
}
