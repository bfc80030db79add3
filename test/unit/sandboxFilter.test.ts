import { USER } from '../../sandbox/graph/entities';
import { matches, parseFilter } from '../../sandbox/graph/filter';

/**
 * The evaluator answers every operator the parser accepts. Graph refuses `gt`/`lt` on directory objects and `in` inside a
 * lambda, so compileFilter rejects them first; the evaluator still answers them rather than saying "no match" by default.
 */
describe('sandbox filter evaluation', () => {
  const user = { createdDateTime: '2024-06-01T00:00:00Z', proxyAddresses: ['SMTP:ann@fabrikam.com', 'smtp:a@fabrikam.com'] };

  it.each([
    ["createdDateTime gt '2024-01-01T00:00:00Z'", true],
    ["createdDateTime gt '2025-01-01T00:00:00Z'", false],
    ["createdDateTime lt '2025-01-01T00:00:00Z'", true],
    ["createdDateTime lt '2024-01-01T00:00:00Z'", false],
    ["proxyAddresses/any(p: p in ('smtp:a@fabrikam.com', 'x'))", true],
    ["proxyAddresses/any(p: p in ('smtp:b@fabrikam.com'))", false],
  ])('%s is %s', (filter, expected) => {
    expect(matches(parseFilter(filter), user, USER.filter)).toBe(expected);
  });
});
