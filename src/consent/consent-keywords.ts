/** What an inbound text asks for. */
export type InboundIntent = 'OPT_OUT' | 'OPT_IN' | 'HELP' | 'OTHER';

export interface ConsentKeywords {
  optOut: string[];
  optIn: string[];
  help: string[];
}

export const DEFAULT_CONSENT_KEYWORDS: ConsentKeywords = {
  optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'],
  optIn: ['START', 'UNSTOP', 'YES'],
  help: ['HELP', 'INFO'],
};

/** A keyword as compared: upper case, every whitespace removed ("Stop " and "s t o p" both give STOP). */
export function normalizeKeyword(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '').toUpperCase();
}

/**
 * The intent of a reply: the whole message must be a keyword (case and whitespace ignored, trailing
 * punctuation such as "STOP." or "Stop!" allowed), so "please don't stop" is free text. Opt-out wins
 * over opt-in and help when an account configured the same word twice.
 */
export function classifyInbound(text: string, keywords: ConsentKeywords): InboundIntent {
  const word = normalizeKeyword(text).replace(/[.!?,;:]+$/u, '');
  if (word === '') {
    return 'OTHER';
  }
  const has = (list: string[]): boolean => list.some((k) => normalizeKeyword(k) === word);
  if (has(keywords.optOut)) {
    return 'OPT_OUT';
  }
  if (has(keywords.optIn)) {
    return 'OPT_IN';
  }
  if (has(keywords.help)) {
    return 'HELP';
  }
  return 'OTHER';
}
