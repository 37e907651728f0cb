import { sessionSetup } from './session-setup';

describe('sessionSetup', () => {
  it('a fresh session gets the settings; a reused one RESET ALL first', () => {
    expect(sessionSetup([`SET TimeZone TO 'UTC'`, 'SET a = 1'], false)).toBe(`SET TimeZone TO 'UTC'; SET a = 1`);
    expect(sessionSetup([`SET TimeZone TO 'UTC'`], true)).toBe(`RESET ALL; SET TimeZone TO 'UTC'`);
  });
});
