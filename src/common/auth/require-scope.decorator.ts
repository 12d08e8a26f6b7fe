import { SetMetadata } from '@nestjs/common';
import { Scope } from './scope.enum';

export const REQUIRED_SCOPE = 'requiredScope';

/**
 * The scope a key needs to call this resolver or route (on a method, or on a class for all its
 * methods). Every root GraphQL field and every REST route declares one, or @Public();
 * test/e2e/scope-coverage.e2e-spec.ts fails otherwise, and ScopeGuard refuses an undeclared one.
 */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
