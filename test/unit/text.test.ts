import { plain, plainLine } from '../../cards/text';

describe('plain', () => {
  it('turns a Markdown link into visible text', () => {
    expect(plain('[Approve here](https://evil.example)')).toBe('\\[Approve here\\](https://evil.example)');
  });

  it('neutralises emphasis, code and list markers', () => {
    expect(plain('*bold* _it_ `code` ~x~')).toBe('\\*bold\\* \\_it\\_ \\`code\\` \\~x\\~');
    expect(plain('- item')).toBe('\\- item');
    expect(plain('1. first')).toBe('1\\. first');
  });

  it('neutralises list, quote and header markers at the start of every line, not only the first', () => {
    expect(plain('Pilot\n- item\n  * star\n+ plus\n12) paren\n3. three\n> quote\n### head')).toBe(
      'Pilot\n\\- item\n  \\* star\n\\+ plus\n12\\) paren\n3\\. three\n\\> quote\n\\### head',
    );
    expect(plain('a\r\n- b')).toBe('a\r\n\\- b');
    // Not markers: no space after them, or not at a line start.
    expect(plain('-5 °C, #hashtag, 2.5 days, a - b')).toBe('-5 °C, #hashtag, 2.5 days, a - b');
  });

  it('shows a lone UTF-16 surrogate as U+FFFD and keeps a whole pair', () => {
    expect(plain('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
    expect(plain('😀')).toBe('😀');
  });

  it('keeps template-looking text as it is: data is never expanded', () => {
    expect(plain('${name}')).toBe('${name}');
  });

  it('drops bidi overrides that reorder text but keeps right-to-left letters', () => {
    expect(plain('abc\u202Egpj.exe')).toBe('abcgpj.exe');
    expect(plain('שלום عالم')).toBe('שלום عالم');
  });

  it('drops control characters and cuts long text by characters, not UTF-16 units', () => {
    expect(plain('a\u0000b\u0007c')).toBe('abc');
    const long = '😀'.repeat(300);
    const cut = plain(long, 10);
    expect(Array.from(cut)).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('handles missing values', () => {
    expect(plain(undefined)).toBe('');
    expect(plain(null)).toBe('');
  });

  it('keeps a line on one line', () => {
    expect(plainLine('Ann\nSmith\r\nJr')).toBe('Ann Smith Jr');
  });
});
