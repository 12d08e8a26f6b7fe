import { Controller, Get, Header, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Public } from '../common/auth/public.decorator';
import { MetricsService } from '../common/metrics/metrics.service';
import { HealthRepository } from '../persistence/health.repository';

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthRepository,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ready' }> {
    if (!(await this.health.databaseAnswers())) {
      throw new ServiceUnavailableException('database is not answering');
    }
    return { status: 'ready' };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    return this.metrics.render();
  }
}
