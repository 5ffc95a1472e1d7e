import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.ts';

describe('waitFor', () => {
  it('resolves once the check holds, trying again after a throw', async () => {
    let calls = 0;
    await waitFor(() => {
      calls++;
      if (calls < 3) throw new Error('not up yet');
      return true;
    }, 5000, 'the third call');
    expect(calls).toBe(3);
  });

  it('times out naming what it waited for and why the last check failed', async () => {
    await expect(waitFor(() => Promise.reject(new Error('expected 1 occurrence to be 2')), 300, 'two occurrences')).rejects.toThrow(
      'timed out after 300 ms waiting for two occurrences (the last check threw: expected 1 occurrence to be 2)',
    );
    await expect(waitFor(() => false, 300, 'nothing')).rejects.toThrow(/^timed out after 300 ms waiting for nothing$/);
  });
});
