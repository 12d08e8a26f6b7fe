import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, Max, Min } from 'class-validator';
import { WebhookDeliveryState } from '../models/webhook-delivery.model';

@ArgsType()
export class WebhookDeliveriesArgs {
  @Field(() => ID)
  @IsString()
  endpointId!: string;

  @Field(() => WebhookDeliveryState, { nullable: true })
  @IsOptional()
  @IsEnum(WebhookDeliveryState)
  state?: WebhookDeliveryState | null;

  @Field(() => Int, { nullable: true, defaultValue: 50 })
  @IsOptional()
  @Min(1)
  @Max(500)
  first?: number | null = 50;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  after?: string | null;
}
