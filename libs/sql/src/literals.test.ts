import { dollarQuote, quoteLiteral, quoteRedshiftLiteral } from './literals';

describe('literals', () => {
  it('quotes PostgreSQL literals by doubling single quotes only', () => {
    expect(quoteLiteral("it's \\N")).toBe("'it''s \\N'");
  });
  it('quotes Redshift literals doubling quotes and backslashes', () => {
    expect(quoteRedshiftLiteral('\\N')).toBe("'\\\\N'");
    expect(quoteRedshiftLiteral("o'k")).toBe("'o''k'");
  });
  it('dollar-quotes with a tag that cannot end the body early', () => {
    expect(dollarQuote("select 'a'")).toBe("$$select 'a'$$");
    expect(dollarQuote('select $$x$$')).toBe('$ferry0$select $$x$$$ferry0$');
    expect(dollarQuote('select 1 as x$')).toBe('$ferry0$select 1 as x$$ferry0$');
    const nasty = 'select $ferry0$ $$';
    const quoted = dollarQuote(nasty);
    const tag = quoted.slice(0, quoted.indexOf('$', 1) + 1);
    expect(quoted.slice(tag.length, -tag.length)).toBe(nasty);
    expect(nasty.includes(tag)).toBe(false);
  });
});
