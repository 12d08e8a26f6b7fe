import { classifyInbound, DEFAULT_CONSENT_KEYWORDS, normalizeKeyword } from './consent-keywords';

describe('classifyInbound', () => {
  it.each(['STOP', 'stop', ' Stop ', 'S T O P', 'stop.', 'Unsubscribe!', 'optout', 'REVOKE', 'end', 'QUIT'])(
    'should read %p as an opt-out',
    (text) => {
      expect(classifyInbound(text, DEFAULT_CONSENT_KEYWORDS)).toBe('OPT_OUT');
    },
  );

  it.each(['START', 'unstop', 'Yes'])('should read %p as an opt-in', (text) => {
    expect(classifyInbound(text, DEFAULT_CONSENT_KEYWORDS)).toBe('OPT_IN');
  });

  it.each(['HELP', 'info '])('should read %p as help', (text) => {
    expect(classifyInbound(text, DEFAULT_CONSENT_KEYWORDS)).toBe('HELP');
  });

  it.each(['please stop sending', 'stop it now', '', '   ', 'thanks', 'STOPPED'])(
    'should read %p as free text',
    (text) => {
      expect(classifyInbound(text, DEFAULT_CONSENT_KEYWORDS)).toBe('OTHER');
    },
  );

  it('should use the account keywords instead of the defaults', () => {
    const keywords = { optOut: ['ARRET'], optIn: ['ARRET', 'OUI'], help: ['AIDE'] };
    expect(classifyInbound('arrêt'.replace('ê', 'e'), keywords)).toBe('OPT_OUT');
    expect(classifyInbound('STOP', keywords)).toBe('OTHER');
    expect(classifyInbound('oui', keywords)).toBe('OPT_IN');
    expect(classifyInbound('Aide', keywords)).toBe('HELP');
  });

  it('should normalize keywords to upper case without whitespace', () => {
    expect(normalizeKeyword(' opt out ')).toBe('OPTOUT');
  });
});
