import { Injectable } from '@nestjs/common';

/** The current time, injectable so tests control it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
