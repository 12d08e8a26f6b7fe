import { UserInputError } from '../../common/errors/domain-error';
import { checkSendWindow, daysMask, parseLocalTime, SendWindow } from '../send-window';
import { SendWindowInput } from './send-window.input';

/** The window a request asked for (already shape-checked by class-validator); BAD_USER_INPUT naming sendWindow otherwise. */
export function toSendWindow(input: SendWindowInput | null | undefined): SendWindow | null {
  if (!input) {
    return null;
  }
  const startMinute = parseLocalTime(input.start);
  const endMinute = parseLocalTime(input.end, true);
  if (startMinute === null || endMinute === null) {
    throw new UserInputError('sendWindow', 'sendWindow.start and sendWindow.end must be local times HH:MM');
  }
  try {
    return checkSendWindow({ startMinute, endMinute, days: daysMask(input.days) });
  } catch (error) {
    throw new UserInputError('sendWindow', `sendWindow: ${(error as Error).message}`);
  }
}
