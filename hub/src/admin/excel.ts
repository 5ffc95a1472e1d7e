import type ExcelJS from 'exceljs';

let loaded: Promise<typeof ExcelJS> | null = null;

/**
 * exceljs, loaded the first time a workbook is made or read (an export, a site upload), not at
 * start: loading it cost the hub about 0.4 s of every start and restart, for a page most days
 * never see.
 */
export function excel(): Promise<typeof ExcelJS> {
  loaded ??= import('exceljs').then((m) => m.default);
  return loaded;
}
