import type { Reading } from '@gridhub/core';
import type { ReadingValuesTable, ReadingsTable } from '../schema.ts';

/** One reading's row in `readings` (both stores). */
export function readingRow(reading: Reading): ReadingsTable;
/** Pure: a batch as table rows; numeric fields (and booleans as 0/1) also as `reading_values` rows (PostgreSQL). */
export function readingRows(readings: readonly Reading[]): { readings: ReadingsTable[]; values: ReadingValuesTable[] };
