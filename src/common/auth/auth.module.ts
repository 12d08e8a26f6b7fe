import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Clock } from '../time/clock';
import { ApiKeyHasher } from './api-key-hasher';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { BootstrapApiKeyService } from './bootstrap-api-key.service';

@Global()
@Module({
  providers: [
    ApiKeyHasher,
    ApiKeyService,
    BootstrapApiKeyService,
    Clock,
    ApiKeyGuard,
    { provide: APP_GUARD, useExisting: ApiKeyGuard },
  ],
  exports: [ApiKeyService, ApiKeyHasher, BootstrapApiKeyService, Clock],
})
export class AuthModule {}
