import { stripMentions, tokenize } from '../../bot/routing/tokenizer';

describe('tokenize', () => {
  it.each([
    ['help', 'help', [], ''],
    ['  HELP  ', 'help', [], ''],
    ['<at>Partner Access Bot</at> whois alice@fabrikam.com', 'whois', ['alice@fabrikam.com'], 'alice@fabrikam.com'],
    ['invite ann@x.com as "Ann O\'Neil"', 'invite', ['ann@x.com', 'as', "Ann O'Neil"], 'ann@x.com as "Ann O\'Neil"'],
    ['invite ann@x.com as \u201cAnn Smith\u201d', 'invite', ['ann@x.com', 'as', 'Ann Smith'], 'ann@x.com as \u201cAnn Smith\u201d'],
    ['invite a@x.com<br>b@y.com', 'invite', ['a@x.com', 'b@y.com'], 'a@x.com\nb@y.com'],
    ['helpdesk', 'helpdesk', [], ''],
    ['', '', [], ''],
    ['say "unterminated phrase', 'say', ['unterminated phrase'], '"unterminated phrase'],
  ])('%j', (text, word, args, rest) => {
    expect(tokenize(text)).toEqual({ word, args, rest });
  });

  it('removes every mention, not only the first', () => {
    expect(stripMentions('<at>Bot</at> hi <at>Someone</at>')).toBe('hi');
  });
});
