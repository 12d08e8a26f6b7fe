import { ArgsType, Field } from '@nestjs/graphql';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

@ArgsType()
export class CreateAccountArgs {
  @Field()
  @IsString()
  @IsNotEmpty({ message: 'name: must not be empty' })
  @MaxLength(100, { message: 'name: at most 100 characters' })
  name!: string;
}
