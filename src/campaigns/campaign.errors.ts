import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code.enum';
import { CampaignStatus } from '../domain/campaign-status.enum';

export class InvalidCampaignTransitionError extends DomainError {
  constructor(action: string, status: CampaignStatus) {
    super(ErrorCode.INVALID_STATE_TRANSITION, `cannot ${action} a campaign that is ${status}`, { status });
    this.name = 'InvalidCampaignTransitionError';
  }
}
