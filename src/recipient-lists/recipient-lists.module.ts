import { Module } from '@nestjs/common';
import { RecipientListEntryRepository } from '../persistence/recipient-list-entry.repository';
import { RecipientListRepository } from '../persistence/recipient-list.repository';
import { PersonalizedRecipientsService } from './personalized-recipients';
import { RecipientListExpiryService } from './recipient-list-expiry.service';
import { RecipientListUploadService } from './recipient-list-upload.service';
import { RecipientListsController } from './recipient-lists.controller';
import { RecipientListsResolver } from './recipient-lists.resolver';

/** Uploaded recipient lists (CSV, NDJSON) and the personalized texts rendered from them. */
@Module({
  controllers: [RecipientListsController],
  providers: [
    RecipientListRepository,
    RecipientListEntryRepository,
    RecipientListUploadService,
    RecipientListsResolver,
    RecipientListExpiryService,
    PersonalizedRecipientsService,
  ],
  exports: [PersonalizedRecipientsService, RecipientListUploadService, RecipientListRepository],
})
export class RecipientListsModule {}
