import type { Client } from 'pg';

// The real US ZIP code list shipped by the `zipcodes` npm package (~42k rows).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { codes } = require('zipcodes/lib/codes.js') as { codes: Record<string, ZipCode> };

interface ZipCode {
  zip: string;
  latitude: number;
  longitude: number;
  city: string;
  state: string;
  country: string;
}

export const ZIPCODE_COLUMNS = `
  zip varchar(10) PRIMARY KEY,
  city varchar(100) NOT NULL,
  state char(2) NOT NULL,
  latitude numeric(9,4),
  longitude numeric(9,4),
  country char(2) NOT NULL`;

/**
 * (Re)creates `public.zipcode_us` on the source with multi-row INSERTs — Redshift has no
 * COPY FROM STDIN, so the seed uses only what a Redshift client could.
 */
export async function seedZipcodes(source: Client): Promise<number> {
  const rows = Object.values(codes);
  await source.query('DROP TABLE IF EXISTS public.zipcode_us');
  await source.query(`CREATE TABLE public.zipcode_us (${ZIPCODE_COLUMNS})`);
  const batch = 1000;
  for (let i = 0; i < rows.length; i += batch) {
    const slice = rows.slice(i, i + batch);
    const params: unknown[] = [];
    const tuples = slice.map((z, j) => {
      params.push(z.zip, z.city, z.state, z.latitude, z.longitude, z.country);
      const b = j * 6;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
    });
    await source.query(`INSERT INTO public.zipcode_us VALUES ${tuples.join(', ')}`, params);
  }
  return rows.length;
}
