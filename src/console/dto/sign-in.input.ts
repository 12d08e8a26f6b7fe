import { IsString, MaxLength, MinLength } from 'class-validator';

/** Body of POST /api/session. */
export class SignInInput {
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  apiKey!: string;
}
