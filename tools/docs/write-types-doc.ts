// Writes docs/types.md from the type map: npx tsx tools/docs/write-types-doc.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderTypesDoc } from '@ferry/type-map';

writeFileSync(path.join(__dirname, '../../docs/types.md'), renderTypesDoc());
