import type { Reading } from '@gridhub/core';
import type { ReadingsTable } from '../schema.ts';

/** One reading's row in `readings` (both stores). */
export function readingRow(reading: Reading): ReadingsTable;
