import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CONSOLE_REQUEST_HEADER, isConsoleRequest } from '../common/auth/console-session-cookie';

/** The CSRF rule on the session endpoints themselves (sign-in included: no login CSRF). */
@Injectable()
export class ConsoleRequestGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!isConsoleRequest(request.method, request.headers)) {
      throw new ForbiddenException(
        `Console requests must come from the console (same origin, ${CONSOLE_REQUEST_HEADER} header)`,
      );
    }
    return true;
  }
}
