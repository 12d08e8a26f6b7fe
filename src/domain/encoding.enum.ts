import { registerEnumType } from '@nestjs/graphql';

export enum Encoding {
  GSM7 = 'GSM7',
  UCS2 = 'UCS2',
}

registerEnumType(Encoding, { name: 'Encoding', description: 'SMS character encoding: GSM-7 or UCS-2.' });
