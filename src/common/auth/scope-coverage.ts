import { INestApplicationContext, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql/dist/graphql.constants';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPE } from './require-scope.decorator';

const ROOT_TYPES = ['Query', 'Mutation', 'Subscription'] as const;

export interface ScopeDeclaration {
  /** "Query.campaigns", "Mutation.sendBulk", "GET /health". */
  operation: string;
  handler: string;
  /** The scope, "public", or undefined when the handler declares neither. */
  scope: string | undefined;
}

/**
 * Every root GraphQL field and REST route of the running application, with the scope its handler
 * declares (@RequireScope, or @Public for REST). A root field of the schema that no handler was
 * found for is reported too, with handler "?", so nothing escapes the walk.
 */
export function scopeDeclarations(app: INestApplicationContext): ScopeDeclaration[] {
  const reflector = app.get(Reflector);
  const declarations: ScopeDeclaration[] = [];
  const seen = new Set<object>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of [...module.providers.values(), ...module.controllers.values()]) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined | null;
      if (!type || typeof type !== 'function' || !type.prototype || seen.has(type)) {
        continue;
      }
      seen.add(type);
      const controllerPath = Reflect.getMetadata(PATH_METADATA, type) as string | undefined;
      for (const methodName of methodNames(type.prototype as object)) {
        const method = (type.prototype as Record<string, unknown>)[methodName] as () => unknown;
        const scope = declaredScope(reflector, method, type);
        const handler = `${type.name}.${methodName}`;
        const rootType = Reflect.getMetadata(RESOLVER_TYPE_METADATA, method) as string | undefined;
        if (rootType && (ROOT_TYPES as readonly string[]).includes(rootType)) {
          const name = (Reflect.getMetadata(RESOLVER_NAME_METADATA, method) as string | undefined) ?? methodName;
          declarations.push({ operation: `${rootType}.${name}`, handler, scope });
        } else if (controllerPath !== undefined && Reflect.hasMetadata(METHOD_METADATA, method)) {
          const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, method) as RequestMethod];
          const path = Reflect.getMetadata(PATH_METADATA, method) as string | undefined;
          declarations.push({ operation: `${verb} ${joinPath(controllerPath, path)}`, handler, scope });
        }
      }
    }
  }
  const schema = app.get(GraphQLSchemaHost, { strict: false }).schema;
  const found = new Set(declarations.map((d) => d.operation));
  for (const rootType of ROOT_TYPES) {
    const type =
      rootType === 'Query'
        ? schema.getQueryType()
        : rootType === 'Mutation'
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    for (const field of Object.keys(type?.getFields() ?? {})) {
      if (!found.has(`${rootType}.${field}`)) {
        declarations.push({ operation: `${rootType}.${field}`, handler: '?', scope: undefined });
      }
    }
  }
  return declarations.sort((a, b) => a.operation.localeCompare(b.operation));
}

function declaredScope(reflector: Reflector, method: () => unknown, type: object): string | undefined {
  const targets = [method, type as () => unknown];
  if (reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
    return 'public';
  }
  return reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, targets);
}

function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let proto = prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && typeof descriptor?.value === 'function') {
        names.add(name);
      }
    }
  }
  return [...names];
}

function joinPath(controllerPath: string, path: string | undefined): string {
  const joined = `/${[controllerPath, path ?? '']
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return joined;
}
