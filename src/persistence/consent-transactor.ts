import { Injectable } from '@nestjs/common';
import { CampaignRepository } from './campaign.repository';
import { ConsentReplyRepository } from './consent-reply.repository';
import { ConsentRepository } from './consent.repository';
import { withDbRetry } from './db-retry';
import { InboundMessageRepository } from './inbound-message.repository';
import { PrismaService } from './prisma.service';
import { SuppressionRepository } from './suppression.repository';

/** The repositories an opt-out or opt-in touches, bound to one transaction. */
export interface ConsentUnitOfWork {
  inbound: InboundMessageRepository;
  consent: ConsentRepository;
  suppressions: SuppressionRepository;
  replies: ConsentReplyRepository;
  campaigns: CampaignRepository;
}

/**
 * One transaction for a consent change: suppression, waiting messages, evidence and replies commit together.
 * A transaction that ends in a deadlock or a serialization failure is run again whole (`withDbRetry`): the
 * opt-out list and the messages have other writers (docs/consent.md, "Managing the list"), and `work` does
 * nothing outside the transaction.
 */
@Injectable()
export class ConsentTransactor {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: ConsentUnitOfWork) => Promise<T>): Promise<T> {
    return withDbRetry(() =>
      this.prisma.$transaction(
        (client) =>
          work({
            inbound: new InboundMessageRepository(client),
            consent: new ConsentRepository(client),
            suppressions: new SuppressionRepository(client),
            replies: new ConsentReplyRepository(client),
            campaigns: new CampaignRepository(client),
          }),
        { timeout: 30_000 },
      ),
    );
  }
}
