import { GraphError } from '@microsoft/microsoft-graph-client';
import { directoryUnavailable, type GraphStep } from '../../bot/graph/errors';
import { failureCard } from '../../bot/routing/replies';
import { cardText } from '../helpers/bot';

function graphError(statusCode: number, code: string): GraphError {
  const error = new GraphError(statusCode, `Graph answered ${statusCode}`);
  error.code = code;
  return error;
}

const timeout = (): GraphError => graphError(-1, 'TimeoutError');

function shown(step: GraphStep, error: unknown): string {
  return cardText(failureCard(directoryUnavailable(step, error), 'incident-1').content);
}

describe('failure card', () => {
  it('never says nothing was changed when a write went unanswered: a time-out, no answer, or a 5xx', () => {
    for (const error of [timeout(), graphError(503, 'serviceNotAvailable'), new Error('socket hang up')]) {
      const text = shown('Assigning the app role', error);
      expect(text).toContain('did not confirm the change');
      expect(text).toContain('check before trying again');
      expect(text).not.toContain('Nothing was changed');
    }
  });

  it('says nothing was changed when Graph refused a write (4xx, 429 included) or a read failed', () => {
    expect(shown('Sending the invitation', graphError(429, 'TooManyRequests'))).toContain('Nothing was changed');
    expect(shown('Removing the app role assignment', graphError(400, 'Request_BadRequest'))).toContain('Nothing was changed');
    expect(shown('Looking up the user', timeout())).toContain('Nothing was changed');
    expect(shown('Listing application proxy apps', graphError(503, 'serviceNotAvailable'))).toContain('Nothing was changed');
  });

  it('keeps the incident reference on every form', () => {
    expect(shown('Assigning the app role', timeout())).toContain('incident-1');
    expect(shown('Looking up the user', timeout())).toContain('incident-1');
  });
});
