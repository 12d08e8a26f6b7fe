import { Webhook } from 'standardwebhooks';
import { signedHeaders, webhookBody } from './webhook-payload';

describe('webhookBody', () => {
  it('should wrap the payload as { type, timestamp, data } and explain message error codes', () => {
    const body = webhookBody({
      type: 'message.final',
      eventCreatedAt: new Date('2026-01-02T03:04:05.678Z'),
      payload: {
        campaignId: 'c',
        messages: [
          { id: '1', errorCode: '200' },
          { id: '2', errorCode: null },
          { id: '3', errorCode: 'submission_unconfirmed' },
        ],
      },
    });
    expect(JSON.parse(body)).toEqual({
      type: 'message.final',
      timestamp: '2026-01-02T03:04:05.678Z',
      data: {
        campaignId: 'c',
        messages: [
          { id: '1', errorCode: '200', errorMeaning: 'source number blocked by STOP from the destination (opt-out)' },
          { id: '2', errorCode: null, errorMeaning: null },
          {
            id: '3',
            errorCode: 'submission_unconfirmed',
            errorMeaning: expect.stringMatching(/^not sent: the SMS provider never confirmed it had the batch/),
          },
        ],
      },
    });
  });
});

describe('signedHeaders', () => {
  it('should produce headers that the Standard Webhooks verifier accepts, and only for the exact body', () => {
    const secret = `whsec_${Buffer.from('a secret of at least twenty-four bytes').toString('base64')}`;
    const body = webhookBody({ type: 'campaign.started', eventCreatedAt: new Date(), payload: { campaignId: 'c' } });
    const headers = signedHeaders(new Webhook(secret), 'evt-1', body, new Date());
    expect(headers['webhook-id']).toBe('evt-1');
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('started', 'paused'), headers)).toThrow();
  });
});
