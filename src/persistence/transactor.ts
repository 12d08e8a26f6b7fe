import { Injectable } from '@nestjs/common';
import { CampaignRepository } from './campaign.repository';
import { DispatchRepository } from './dispatch.repository';
import { PrismaService } from './prisma.service';

/** The repositories of one transaction: every statement they run commits or rolls back together. */
export interface UnitOfWork {
  dispatch: DispatchRepository;
  campaigns: CampaignRepository;
}

/**
 * The transaction boundary, owned by services: `run` opens one transaction and hands out
 * repositories bound to it, so the rules (which statements, in which order, what to decide between
 * them) live in services, and repositories keep to intent-named statements.
 */
@Injectable()
export class Transactor {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: UnitOfWork) => Promise<T>, options?: { timeout?: number }): Promise<T> {
    return this.prisma.$transaction(
      (client) => work({ dispatch: new DispatchRepository(client), campaigns: new CampaignRepository(client) }),
      options,
    );
  }
}
