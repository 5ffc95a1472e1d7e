import type { Reading } from '@gridhub/core';
import type { ReadingValuesTable, ReadingsTable } from '../schema.ts';

/** Pure: a batch as table rows. Numeric fields (and booleans as 0/1) also go to `reading_values`. */
export function readingRows(readings: readonly Reading[]): { readings: ReadingsTable[]; values: ReadingValuesTable[] };
