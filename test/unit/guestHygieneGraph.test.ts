import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import { GraphGuestHygiene } from '../../bot/graph/guestHygiene';

type Answer = unknown | (() => unknown);

/** A Graph client that answers GETs by URL prefix and $batch posts from a queue, recording every URL it was asked. */
function fakeGraph(gets: [string, Answer][], batches: ((requests: { id: string; url: string }[]) => unknown)[] = []) {
  const asked: string[] = [];
  const client = {
    api(url: string) {
      asked.push(url);
      return {
        get: () => {
          const found = gets.find(([prefix]) => url.startsWith(prefix));
          if (!found) return Promise.reject(new Error(`unexpected GET ${url}`));
          const answer = found[1];
          try {
            return Promise.resolve(typeof answer === 'function' ? (answer as () => unknown)() : answer);
          } catch (error) {
            return Promise.reject(error as Error);
          }
        },
        post: (body: { requests: { id: string; url: string }[] }) => {
          const next = batches.shift();
          return next ? Promise.resolve(next(body.requests)) : Promise.reject(new Error('unexpected batch'));
        },
      };
    },
  };
  return { client: client as unknown as Client, asked };
}

function graphError(status: number, code: string): GraphError {
  const error = new GraphError(status, code);
  error.code = code;
  return error;
}

const GUEST = { id: 'e1', userType: 'Guest', displayName: 'Alice' };
const MEMBER = { id: 'm1', userType: 'Member', displayName: 'Adele' };

describe('GraphGuestHygiene', () => {
  it('asks for guests with signInActivity in pages of 120', async () => {
    const { client, asked } = fakeGraph([['/users?', { value: [GUEST] }]]);
    const listing = await new GraphGuestHygiene(client).listGuests();
    expect(listing).toMatchObject({ signIn: { readable: true }, guests: [{ id: 'e1' }] });
    expect(decodeURIComponent(asked[0] ?? '')).toContain("$filter=userType eq 'Guest'");
    expect(decodeURIComponent(asked[0] ?? '')).toContain('signInActivity');
    expect(asked[0]).toContain('$top=120');
  });

  it('lists the guests again without signInActivity after the licence or permission 403, and says which', async () => {
    for (const [code, reason] of [['Authentication_RequestFromNonPremiumTenantOrB2CTenant', 'noLicence'], ['Authorization_RequestDenied', 'noPermission']] as const) {
      let first = true;
      const { client, asked } = fakeGraph([
        [
          '/users?',
          () => {
            if (first) {
              first = false;
              throw graphError(403, code);
            }
            return { value: [GUEST] };
          },
        ],
      ]);
      const listing = await new GraphGuestHygiene(client).listGuests();
      expect(listing.signIn).toEqual({ readable: false, reason });
      expect(listing.guests).toHaveLength(1);
      expect(asked).toHaveLength(2);
      expect(asked[1]).not.toContain('signInActivity');
    }
  });

  it('tolerates Graph refusing the guest filter beside signInActivity: lists everyone with it and keeps the guests', async () => {
    const { client, asked } = fakeGraph([
      ['/users?$filter', () => { throw graphError(400, 'Request_UnsupportedQuery'); }],
      ['/users?', { value: [GUEST, MEMBER] }],
    ]);
    const listing = await new GraphGuestHygiene(client).listGuests();
    expect(listing.guests.map((g) => g.id)).toEqual(['e1']);
    expect(listing.signIn).toEqual({ readable: true });
    expect(asked[1]).not.toContain('filter');
  });

  it('sends throttled sponsor reads again after the longest Retry-After, and reports those still throttled as not read', async () => {
    const waits: number[] = [];
    const throttleSecond = (requests: { id: string }[]) => ({
      responses: requests.map((r) =>
        r.id === '1' ? { id: r.id, status: 429, headers: { 'Retry-After': '1.5' } } : { id: r.id, status: 200, body: { value: [{ id: 'B1', '@odata.type': '#microsoft.graph.user', displayName: 'Megan', accountEnabled: false }] } },
      ),
    });
    const { client } = fakeGraph([], [throttleSecond, throttleSecond, throttleSecond, throttleSecond]);
    const reads = await new GraphGuestHygiene(client, { calls: 0 }, (ms) => {
      waits.push(ms);
      return Promise.resolve();
    }).sponsorsOf(['E1', 'E2']);
    expect(reads.get('e1')).toEqual({ read: true, sponsors: [{ id: 'b1', kind: 'user', displayName: 'Megan', accountEnabled: false }] });
    // E2 is item 0 of every retry, so it is read on the second try.
    expect(reads.get('e2')).toMatchObject({ read: true });
    expect(waits).toEqual([1500]);
  });

  it('gives up on an item after four throttled tries, and on a Retry-After longer than 30 s at once', async () => {
    const always429 = (seconds: string) => (requests: { id: string }[]) => ({ responses: requests.map((r) => ({ id: r.id, status: 429, headers: { 'retry-after': seconds } })) });
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const { client } = fakeGraph([], [always429('1'), always429('1'), always429('1'), always429('1')]);
    const reads = await new GraphGuestHygiene(client, { calls: 0 }, sleep).sponsorsOf(['e1']);
    expect(reads.get('e1')).toEqual({ read: false, problem: 'Graph answered 429' });
    expect(waits).toEqual([1000, 1000, 1000]);
    const long = fakeGraph([], [always429('120')]);
    const gaveUp = await new GraphGuestHygiene(long.client, { calls: 0 }, sleep).sponsorsOf(['e1']);
    expect(gaveUp.get('e1')).toMatchObject({ read: false, problem: expect.stringContaining('120 s') });
  });
});
