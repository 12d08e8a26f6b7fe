import { ArgsType, Field, ID } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsDate,
  IsEnum,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { Scope } from '../../common/auth/scope.enum';

@ArgsType()
export class CreateApiKeyArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'accountId: must be the id of an account' })
  accountId!: string;

  @Field({ description: 'what the key is for, e.g. "billing export"' })
  @IsString()
  @IsNotEmpty({ message: 'name: must not be empty' })
  @MaxLength(100, { message: 'name: at most 100 characters' })
  name!: string;

  @Field(() => [Scope])
  @ArrayMinSize(1, { message: 'scopes: give at least one scope' })
  @ArrayMaxSize(Object.values(Scope).length)
  @ArrayUnique({ message: 'scopes: each scope at most once' })
  @IsEnum(Scope, { each: true, message: 'scopes: unknown scope' })
  scopes!: Scope[];

  @Field(() => Date, { nullable: true, description: 'when the key stops working; must be in the future' })
  @IsOptional()
  @IsDate({ message: 'expiresAt: must be a date-time with its offset, e.g. 2026-12-07T10:00:00Z' })
  expiresAt?: Date | null;
}
