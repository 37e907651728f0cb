import { withRedshiftDefaults, startupParams } from '../startup';
import { rewriteSysdate } from './sysdate';

describe('rewriteSysdate', () => {
  it('calls pg_catalog.sysdate() for every bare SYSDATE, and nothing else', () => {
    expect(rewriteSysdate('select sysdate, trunc(SYSDATE)')).toBe('select pg_catalog.sysdate(), trunc(pg_catalog.sysdate())');
    expect(rewriteSysdate(`select 'sysdate', "sysdate", t.sysdate, sysdate() -- sysdate\n/* sysdate */`)).toBeUndefined();
    expect(rewriteSysdate('create table t (at timestamp default sysdate)')).toBe('create table t (at timestamp default pg_catalog.sysdate())');
  });
});

describe('withRedshiftDefaults', () => {
  const packet = (params: Record<string, string>) => {
    const body = Buffer.from(
      `${Object.entries(params)
        .map(([k, v]) => `${k}\0${v}\0`)
        .join('')}\0`,
    );
    const out = Buffer.alloc(8 + body.length);
    out.writeInt32BE(out.length, 0);
    out.writeInt32BE(196608, 4);
    body.copy(out, 8);
    return out;
  };
  it('adds extra_float_digits 0 and TimeZone UTC unless the client sets them', () => {
    const out = withRedshiftDefaults(packet({ user: 'u', database: 'd' }));
    expect(out.readInt32BE(0)).toBe(out.length);
    expect(startupParams(out)).toEqual({ user: 'u', database: 'd', extra_float_digits: '0', TimeZone: 'UTC' });
    expect(startupParams(withRedshiftDefaults(packet({ user: 'u', extra_float_digits: '3', timezone: 'Europe/Paris' })))).toEqual({
      user: 'u',
      extra_float_digits: '3',
      timezone: 'Europe/Paris',
    });
    expect(startupParams(withRedshiftDefaults(packet({ user: 'u', options: '-c extra_float_digits=2' })))).toEqual({
      user: 'u',
      options: '-c extra_float_digits=2',
      TimeZone: 'UTC',
    });
  });
});
