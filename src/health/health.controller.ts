import { Controller, Get, Header, HttpCode, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Public } from '../common/auth/public.decorator';
import { MetricsTokenGuard } from '../common/metrics/metrics-token.guard';
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

  // Public to API keys; METRICS_TOKEN, when set, is what protects it.
  @Get('metrics')
  @UseGuards(MetricsTokenGuard)
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    return this.metrics.render();
  }
}
