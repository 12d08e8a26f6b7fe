import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { SESSION_COOKIE, readSessionToken } from '../common/auth/console-session-cookie';
import { ConsoleSessionService } from '../common/auth/console-session.service';
import { Public } from '../common/auth/public.decorator';
import { RequestAuthenticator } from '../common/auth/request-authenticator';
import type { Scope } from '../common/auth/scope.enum';
import { clientAddress } from '../common/graphql/graphql-request-gate';
import { AppConfig } from '../config/app-config.service';
import { AuditLogService } from '../audit/audit-log.service';
import { ConsoleRequestGuard } from './console-request.guard';
import { SignInInput } from './dto/sign-in.input';

export interface SessionView {
  accountId: string;
  expiresAt: string;
  /** The key's scopes: what the console offers (the server still checks every call). */
  scopes: readonly Scope[];
}

/**
 * Web console sign-in and sign-out. The API key is sent once, here, and exchanged for an
 * HttpOnly, SameSite=Strict cookie; the console never stores the key. Public because it is
 * where authentication starts; wrong keys count against the same per-address limit as API calls.
 */
@Public()
@Controller('api/session')
export class ConsoleSessionController {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly sessions: ConsoleSessionService,
    private readonly config: AppConfig,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @HttpCode(200)
  @UseGuards(ConsoleRequestGuard)
  async signIn(
    @Body() input: SignInInput,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionView> {
    const outcome = await this.authenticator.authenticate(input.apiKey, clientAddress(req));
    if (outcome.kind === 'throttled') {
      res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
      throw new HttpException(
        `Too many failed sign-ins from this address; retry in ${outcome.retryAfterSeconds} s`,
        429,
      );
    }
    if (outcome.kind === 'refused') {
      throw new UnauthorizedException('Invalid API key');
    }
    const session = await this.sessions.open(outcome.account);
    // A session acts with the key's scopes: opening one is a key use the audit log shows, like a call.
    await this.audit.record({
      accountId: outcome.account.accountId,
      apiKeyId: outcome.account.apiKeyId,
      action: 'POST /api/session',
      outcome: 'ok',
      details: { expiresAt: session.expiresAt },
      clientAddress: req.ip ?? null,
    });
    res.cookie(SESSION_COOKIE, session.token, { ...this.cookieOptions(req), expires: session.expiresAt });
    return {
      accountId: outcome.account.accountId,
      expiresAt: session.expiresAt.toISOString(),
      scopes: outcome.account.scopes,
    };
  }

  @Get()
  async current(@Req() req: Request): Promise<SessionView> {
    const token = readSessionToken(req.headers);
    const outcome = token ? await this.authenticator.authenticateSession(token, clientAddress(req)) : undefined;
    const expiresAt = token ? this.sessions.expiryOf(token) : undefined;
    if (outcome?.kind !== 'authenticated' || !expiresAt) {
      throw new UnauthorizedException('Not signed in');
    }
    return {
      accountId: outcome.account.accountId,
      expiresAt: expiresAt.toISOString(),
      scopes: outcome.account.scopes,
    };
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(ConsoleRequestGuard)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = readSessionToken(req.headers);
    if (token) {
      const account = await this.sessions.authenticate(token);
      await this.sessions.revoke(token);
      if (account) {
        await this.audit.record({
          accountId: account.accountId,
          apiKeyId: account.apiKeyId,
          action: 'DELETE /api/session',
          outcome: 'ok',
          details: {},
          clientAddress: req.ip ?? null,
        });
      }
    }
    res.clearCookie(SESSION_COOKIE, this.cookieOptions(req));
  }

  private cookieOptions(req: Request): CookieOptions {
    // Secure in production (behind TLS) and on HTTPS; plain HTTP on localhost for development.
    return { httpOnly: true, sameSite: 'strict', secure: this.config.isProduction || req.secure, path: '/' };
  }
}
