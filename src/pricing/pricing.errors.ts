import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code.enum';

export { UnknownCountryPriceError } from './cost-calculator';

/** The provider could not be asked for these prices and none is stored: not the caller's fault, try again. */
export class PricesUnavailableError extends DomainError {
  constructor(readonly countries: string[]) {
    super(
      ErrorCode.SERVICE_UNAVAILABLE,
      `SMS prices for ${countries.join(', ')} could not be fetched from the provider; try again later`,
      { countries },
    );
    this.name = 'PricesUnavailableError';
  }
}
