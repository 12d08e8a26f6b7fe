import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthAttemptLimiter } from '../throttling/auth-attempt-limiter';
import { Clock } from '../time/clock';
import { ApiKeyHasher } from './api-key-hasher';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { BootstrapApiKeyService } from './bootstrap-api-key.service';
import { ConsoleSessionMiddleware } from './console-session.middleware';
import { ConsoleSessionService } from './console-session.service';
import { RequestAuthenticator } from './request-authenticator';

@Global()
@Module({
  providers: [
    ApiKeyHasher,
    ApiKeyService,
    BootstrapApiKeyService,
    ConsoleSessionService,
    ConsoleSessionMiddleware,
    Clock,
    ApiKeyGuard,
    AuthAttemptLimiter,
    RequestAuthenticator,
    { provide: APP_GUARD, useExisting: ApiKeyGuard },
  ],
  exports: [
    ApiKeyService,
    ApiKeyHasher,
    BootstrapApiKeyService,
    ConsoleSessionService,
    ConsoleSessionMiddleware,
    RequestAuthenticator,
    Clock,
  ],
})
export class AuthModule {}
