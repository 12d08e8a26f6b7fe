import { UserInputError } from '../../common/errors/domain-error';
import { checkSendWindow, dayNames, daysMask, formatLocalTime, parseLocalTime, SendWindow } from '../send-window';
import { SendWindowModel } from '../models/send-window.model';
import { Weekday } from './send-window.input';
import { SendWindowInput } from './send-window.input';

/** The window a request asked for (already shape-checked by class-validator); BAD_USER_INPUT naming `field` otherwise. */
export function toSendWindow(input: SendWindowInput | null | undefined, field = 'sendWindow'): SendWindow | null {
  if (!input) {
    return null;
  }
  const startMinute = parseLocalTime(input.start);
  const endMinute = parseLocalTime(input.end, true);
  if (startMinute === null || endMinute === null) {
    throw new UserInputError(field, `${field}.start and ${field}.end must be local times HH:MM`);
  }
  try {
    return checkSendWindow({ startMinute, endMinute, days: daysMask(input.days) });
  } catch (error) {
    throw new UserInputError(field, `${field}: ${(error as Error).message}`);
  }
}

export function toSendWindowModel(window: SendWindow): SendWindowModel {
  return {
    start: formatLocalTime(window.startMinute),
    end: formatLocalTime(window.endMinute),
    days: dayNames(window.days) as Weekday[],
  };
}
