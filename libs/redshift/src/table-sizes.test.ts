import { readTableRows, readTableSizes, selectTableRows, selectTableSizes, tableEstimates } from './table-sizes';
import { recordingSession } from './test-session';

describe('table size estimates', () => {
  it('reads SVV_TABLE_INFO of one schema', async () => {
    expect(selectTableSizes('sales')).toEqual({ text: `SELECT "table", tbl_rows, size FROM svv_table_info WHERE "schema" = $1`, values: ['sales'] });
    const rows = [{ table: 'a', tbl_rows: '10', size: '3' }];
    expect(
      await readTableSizes(
        recordingSession(() => ({ rows })),
        'sales',
      ),
    ).toEqual(rows);
  });

  it('orders the named tables largest first, then by rows and name; an unlisted table is empty', () => {
    const sizes = [
      { table: 'small', tbl_rows: '5', size: '1' },
      { table: 'big', tbl_rows: '100', size: '40' },
      { table: 'wide', tbl_rows: '9', size: '1' },
      { table: 'not asked for', tbl_rows: '1', size: '99' },
    ];
    expect(tableEstimates(sizes, ['small', 'empty', 'big', 'wide', 'also empty'])).toEqual([
      { table: 'big', rows: 100, sizeMb: 40 },
      { table: 'wide', rows: 9, sizeMb: 1 },
      { table: 'small', rows: 5, sizeMb: 1 },
      { table: 'also empty', rows: 0, sizeMb: 0 },
      { table: 'empty', rows: 0, sizeMb: 0 },
    ]);
  });

  it("reads one table's estimated rows; a table SVV_TABLE_INFO does not list has none", async () => {
    const table = { schema: 'sales', name: 'Orders' };
    expect(selectTableRows(table)).toEqual({ text: `SELECT tbl_rows FROM svv_table_info WHERE "schema" = $1 AND "table" = $2`, values: ['sales', 'Orders'] });
    expect(
      await readTableRows(
        recordingSession(() => ({ rows: [{ tbl_rows: '1234' }] })),
        table,
      ),
    ).toBe(1234);
    expect(
      await readTableRows(
        recordingSession(() => ({ rows: [] })),
        table,
      ),
    ).toBeUndefined();
  });
});
