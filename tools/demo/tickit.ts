import type { Client } from 'pg';

/**
 * AWS's TICKIT sample schema, with the DDL the Amazon Redshift Getting Started Guide prints
 * (DISTKEY, SORTKEY, defaults), plus one table of Redshift's own types. Run through
 * redshift-local, in Redshift's dialect.
 */
export function tickitDdl(schema: string): string[] {
  return [
    `create table ${schema}.users(
      userid integer not null distkey sortkey,
      username char(8),
      firstname varchar(30),
      lastname varchar(30),
      city varchar(30),
      state char(2),
      email varchar(100),
      phone char(14),
      likesports boolean,
      liketheatre boolean,
      likeconcerts boolean,
      likejazz boolean,
      likeclassical boolean,
      likeopera boolean,
      likerock boolean,
      likevegas boolean,
      likebroadway boolean,
      likemusicals boolean)`,
    `create table ${schema}.venue(
      venueid smallint not null distkey sortkey,
      venuename varchar(100),
      venuecity varchar(30),
      venuestate char(2),
      venueseats integer)`,
    `create table ${schema}.category(
      catid smallint not null distkey sortkey,
      catgroup varchar(10),
      catname varchar(10),
      catdesc varchar(50))`,
    `create table ${schema}.date(
      dateid smallint not null distkey sortkey,
      caldate date not null,
      day character(3) not null,
      week smallint not null,
      month character(5) not null,
      qtr character(5) not null,
      year smallint not null,
      holiday boolean default('N'))`,
    `create table ${schema}.event(
      eventid integer not null distkey,
      venueid smallint not null,
      catid smallint not null,
      dateid smallint not null sortkey,
      eventname varchar(200),
      starttime timestamp)`,
    `create table ${schema}.listing(
      listid integer not null distkey,
      sellerid integer not null,
      eventid integer not null,
      dateid smallint not null sortkey,
      numtickets smallint not null,
      priceperticket decimal(8,2),
      totalprice decimal(8,2),
      listtime timestamp)`,
    `create table ${schema}.sales(
      salesid integer not null,
      listid integer not null distkey,
      sellerid integer not null,
      buyerid integer not null,
      eventid integer not null,
      dateid smallint not null sortkey,
      qtysold smallint not null,
      pricepaid decimal(8,2),
      commission decimal(8,2),
      saletime timestamp)`,
    // Not TICKIT's: Redshift's own types and attributes, which a migration must carry.
    `create table ${schema}.clicks(
      clickid bigint identity(1000, 1) encode az64,
      userid integer not null encode az64,
      clicked_at timestamptz default getdate() not null encode az64,
      page varchar(256) default 'home' encode lzo,
      payload super,
      fingerprint varbyte(32),
      location geometry,
      primary key (clickid))
    diststyle key distkey(userid) compound sortkey(clicked_at, userid)`,
    `comment on table ${schema}.clicks is 'Page clicks, one row each'`,
    `comment on column ${schema}.clicks.payload is 'the client''s event, as JSON'`,
  ];
}

export const TICKIT_TABLES = ['category', 'clicks', 'date', 'event', 'listing', 'sales', 'users', 'venue'];

/**
 * Deterministic rows for every table (no random()): `sales` rows, and the others in
 * proportion, as TICKIT's own files roughly are (users ≈ sales / 3, listings ≈ sales / 3 …).
 */
export async function seedTickit(client: Client, schema: string, sales: number): Promise<void> {
  const users = Math.max(10, Math.floor(sales / 3));
  const listings = Math.max(10, Math.floor(sales / 3));
  const events = Math.max(10, Math.floor(sales / 50));
  const s = schema;
  await client.query(
    `insert into ${s}.category select g, (array['Sports','Shows','Concerts'])[1 + g % 3], 'cat' || g, 'Category number ' || g from generate_series(1, 11) g`,
  );
  await client.query(
    `insert into ${s}.venue select g, 'Venue ' || g, 'City ' || (g % 40), chr(65 + g % 26) || chr(65 + g % 17), case when g % 7 = 0 then null else 1000 * (g % 90) end from generate_series(1, 202) g`,
  );
  await client.query(
    `insert into ${s}.date select g, date '2008-01-01' + g - 1, to_char(date '2008-01-01' + g - 1, 'DY'), extract(week from date '2008-01-01' + g - 1), to_char(date '2008-01-01' + g - 1, 'MON'), 'Q' || extract(quarter from date '2008-01-01' + g - 1), 2008, g % 30 = 0 from generate_series(1, 365) g`,
  );
  await client.query(
    `insert into ${s}.users select g, 'u' || lpad(g::text, 7, '0'), 'First' || g, 'Last' || (g % 997), 'City ' || (g % 40), chr(65 + g % 26) || chr(65 + g % 13), 'user' || g || '@example.com', '(' || lpad((g % 1000)::text, 3, '0') || ') 555-' || lpad((g % 10000)::text, 4, '0'),
            case when g % 5 = 0 then null else g % 2 = 0 end, g % 3 = 0, g % 4 = 0, g % 5 = 0, g % 6 = 0, g % 7 = 0, g % 8 = 0, g % 9 = 0, g % 10 = 0, g % 11 = 0
       from generate_series(1, ${users}) g`,
  );
  await client.query(
    `insert into ${s}.event select g, 1 + g % 202, 1 + g % 11, 1 + g % 365, 'Event ' || g || case when g % 13 = 0 then ' | live' else '' end, timestamp '2008-01-01 19:30:00' + (g % 365) * interval '1 day' from generate_series(1, ${events}) g`,
  );
  await client.query(
    `insert into ${s}.listing select g, 1 + g % ${users}, 1 + g % ${events}, 1 + g % 365, 1 + g % 30, (g % 1000) + 0.25, ((g % 1000) + 0.25) * (1 + g % 30), timestamp '2008-01-01 08:00:00' + g * interval '17 minutes' from generate_series(1, ${listings}) g`,
  );
  await client.query(
    `insert into ${s}.sales select g, 1 + g % ${listings}, 1 + g % ${users}, 1 + (g * 7) % ${users}, 1 + g % ${events}, 1 + g % 365, 1 + g % 8, (g % 1000) * 2.5, (g % 1000) * 0.375, timestamp '2008-01-01 00:00:00' + g * interval '3 minutes 7 seconds' from generate_series(1, ${sales}) g`,
  );
  await client.query(
    `insert into ${s}.clicks (userid, clicked_at, page, payload, fingerprint, location)
     select 1 + g % ${users}, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', case when g % 4 = 0 then null else 'page/' || (g % 50) end,
            case when g % 6 = 0 then null else json_parse('{"n":' || g || ',"tags":["a","b"],"q":"say \\"hi\\""}') end,
            case when g % 5 = 0 then null else from_hex(md5(g::text)) end,
            case when g % 3 = 0 then null else st_geomfromtext('POINT(' || (g % 360 - 180) || ' ' || (g % 180 - 90) || ')', 4326) end
       from generate_series(1, ${Math.max(10, Math.floor(sales / 10))}) g`,
  );
}
