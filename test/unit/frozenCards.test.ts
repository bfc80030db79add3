import { cards } from '../../cards';
import type { CallerIdentity } from '../../bot/identity/caller';
import { describeRoles } from '../../bot/identity/policy';
import { FrozenCardCache } from '../../bot/presenters/frozenCards';
import { whoamiCard } from '../../bot/presenters/whoami.presenter';

const caller: CallerIdentity = { aadObjectId: '00000000-0000-0000-0000-0000000000a1', tenantId: 'tenant', teamsUserId: '29:a1', name: 'Ada' };

describe('frozen card cache', () => {
  it('renders once per key, and starts over past its capacity', () => {
    const cache = new FrozenCardCache(2);
    let renders = 0;
    const render = (text: string) => () => {
      renders += 1;
      return cards.notice({ tone: 'info', title: text, text });
    };
    cache.get('a', render('a'));
    cache.get('a', render('a'));
    cache.get('b', render('b'));
    expect(renders).toBe(2);
    cache.get('c', render('c')); // third key: the cache starts over
    cache.get('a', render('a'));
    expect(renders).toBe(4);
    expect(() => new FrozenCardCache(0)).toThrow(RangeError);
  });

  it('answers whoami with the card a fresh render gives, frozen, and a new card when the roles change', () => {
    const expected = (roles: Parameters<typeof describeRoles>[0]) =>
      cards.whoami({ name: caller.name, objectId: caller.aadObjectId, tenantId: caller.tenantId, roleSummary: describeRoles(roles), cacheSeconds: 300 });
    const first = whoamiCard(caller, ['manager'], 300_000);
    expect(first).toEqual(expected(['manager']));
    expect(whoamiCard(caller, ['manager'], 300_000)).toBe(first);
    expect(() => {
      (first.content as { body: unknown[] }).body.length = 0;
    }).toThrow(TypeError);
    expect(whoamiCard(caller, ['admin'], 300_000)).toEqual(expected(['admin']));
    expect(whoamiCard({ ...caller, name: 'Ada L.' }, ['manager'], 300_000)).not.toBe(first);
  });
});
