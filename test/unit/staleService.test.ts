import type { GuestListing, HygieneGuest, SponsorRead } from '../../bot/graph/guestHygiene';
import { STALE_PAGE_SIZE, StaleService, type GuestHygieneReader } from '../../bot/services/stale/staleService';

const NOW = new Date('2026-12-02T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

class InMemoryGuestHygiene implements GuestHygieneReader {
  listings = 0;
  constructor(
    private readonly guests: HygieneGuest[],
    private readonly signIn: GuestListing['signIn'] = { readable: true },
  ) {}
  listGuests(): Promise<GuestListing> {
    this.listings++;
    return Promise.resolve({ guests: this.guests, signIn: this.signIn });
  }
  sponsorsOf(ids: readonly string[]): Promise<Map<string, SponsorRead>> {
    return Promise.resolve(new Map(ids.map((id) => [id.toLowerCase(), { read: true, sponsors: [{ id: 'b1', kind: 'user', displayName: 'Megan Bowen', accountEnabled: true } as const] }])));
  }
}

function pending(i: number): HygieneGuest {
  return { id: `E${i}`, displayName: `Guest ${String(i).padStart(2, '0')}`, mail: `g${i}@fabrikam.com`, externalUserState: 'PendingAcceptance', externalUserStateChangeDateTime: ago(40) };
}

function service(reader: GuestHygieneReader, sent: { email: string; userId?: string; requesterName: string; at: Date }[] = []) {
  let now = NOW;
  const stale = new StaleService({
    reader,
    invitations: { sentInvitations: () => Promise.resolve(sent) },
    unredeemedDays: 30,
    links: { publicBaseUrl: 'https://bot.example', linkSecret: 'secret-secret-secret-secret-secret', linkLifetimeMs: 3_600_000 },
    now: () => now,
  });
  return { stale, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('StaleService', () => {
  it('names who asked for the invitation through the bot, by object id first, else by address', async () => {
    const reader = new InMemoryGuestHygiene([pending(1), pending(2), pending(3)]);
    const { stale } = service(reader, [
      { email: 'someone-else@fabrikam.com', userId: 'e1', requesterName: 'Megan Bowen', at: new Date(ago(41)) },
      { email: 'G2@fabrikam.com', requesterName: 'Patti Fernández', at: new Date(ago(40)) },
    ]);
    const page = await stale.page(90);
    const by = new Map(page.scan.guests.map((g) => [g.guest.id, g.invitation?.requesterName]));
    expect(Object.fromEntries(by)).toEqual({ E1: 'Megan Bowen', E2: 'Patti Fernández', E3: undefined });
  });

  it('pages the kept scan, reads again for other days or after ten minutes, and exports only what it still keeps', async () => {
    const reader = new InMemoryGuestHygiene(Array.from({ length: STALE_PAGE_SIZE * 2 + 1 }, (_, i) => pending(i)));
    const { stale, later } = service(reader);
    const first = await stale.page(90);
    expect(first.pages).toBe(3);
    expect(first.exportUrl).toContain(`/stale/${first.scan.id}/results.csv?expires=`);
    const third = await stale.page(90, 3, first.scan.id);
    expect(third.lines.map((l) => l.guest.guest.id)).toEqual(['E16']);
    expect(reader.listings).toBe(1);
    await stale.page(30, 2, first.scan.id);
    expect(reader.listings).toBe(2);
    expect(stale.exportCsv(first.scan.id)?.split('\r\n').filter((l) => l.length > 0)).toHaveLength(1 + STALE_PAGE_SIZE * 2 + 1);
    later(10 * 60_000);
    expect(stale.exportCsv(first.scan.id)).toBeUndefined();
    await stale.page(90, 2, first.scan.id);
    expect(reader.listings).toBe(3);
  });

  it('protects every CSV cell against spreadsheet formulas', async () => {
    const { stale } = service(new InMemoryGuestHygiene([{ ...pending(1), displayName: '=HYPERLINK("https://evil.example")' }]));
    const page = await stale.page(90);
    expect(stale.exportCsv(page.scan.id)).not.toMatch(/,"?=HYPERLINK/);
  });
});
