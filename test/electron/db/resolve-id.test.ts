// A run named by a prefix of its id, as every command takes one: unique, ambiguous, missing, any case, wildcards literal.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/db/open-store';
import { RunsRepository } from '../../../electron/db/runs-repository';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { tempDir } from '../../helpers/temp';

function storeWith(ids: string[]): { runs: RunsRepository; close: () => void } {
  const store = openStore(tempDir());
  const runs = new RunsRepository(store.db);
  for (const id of ids) runs.save(emptySnapshot(id, 'capture', '2025-01-01T00:00:00.000Z'));
  return { runs, close: () => store.close() };
}

describe('resolving a run id prefix', () => {
  const ids = [
    'abc1000000000000000000aa',
    'abc2000000000000000000bb',
    'de_f00000000000000000000c',
    'defa00000000000000000000',
  ];

  it('finds the one run a prefix names, a whole id, and an id typed in capitals', () => {
    const { runs, close } = storeWith(ids);
    expect(runs.resolveId('abc1')).toBe(ids[0]);
    expect(runs.resolveId(ids[1]!)).toBe(ids[1]);
    expect(runs.resolveId('DEFA')).toBe(ids[3]);
    expect(runs.resolveId('  abc2 ')).toBe(ids[1]);
    close();
  });

  it('says a prefix two runs share is ambiguous, and one no run has is not found', () => {
    const { runs, close } = storeWith(ids);
    expect(() => runs.resolveId('abc')).toThrow(expect.objectContaining({ code: 'AMBIGUOUS_ID' }));
    expect(() => runs.resolveId('ffff')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    // the last id in the store, then a prefix just past it
    expect(runs.resolveId('defa0')).toBe(ids[3]);
    expect(() => runs.resolveId('defb')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    close();
  });

  it('reads _ and - as themselves, not as wildcards', () => {
    const { runs, close } = storeWith(ids);
    // "de_" as a LIKE pattern would also match "defa…"
    expect(runs.resolveId('de_')).toBe(ids[2]);
    expect(() => runs.resolveId('ab_')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => runs.resolveId('a%')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    close();
  });
});
