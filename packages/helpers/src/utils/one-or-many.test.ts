import { describe, expect, it } from 'vitest';
import { countOf, includes, valuesOf, withValue, withoutValue, type OneOrMany } from './one-or-many.ts';

describe('OneOrMany', () => {
  it('keeps one value as itself, and makes a set only from the second', () => {
    let kept: OneOrMany<string> = undefined;
    kept = withValue(kept, 'a');
    expect(kept).toBe('a');
    kept = withValue(kept, 'a');
    expect(kept).toBe('a');
    kept = withValue(kept, 'b');
    expect(kept).toBeInstanceOf(Set);
    expect([...valuesOf(kept)]).toEqual(['a', 'b']);
    expect(countOf(kept)).toBe(2);
  });

  it('goes back to the value itself when a set is left with one, and to nothing when emptied', () => {
    let kept: OneOrMany<string> = withValue(withValue(withValue(undefined, 'a'), 'b'), 'c');
    kept = withoutValue(kept, 'b');
    expect([...valuesOf(kept)]).toEqual(['a', 'c']);
    kept = withoutValue(kept, 'a');
    expect(kept).toBe('c');
    kept = withoutValue(kept, 'x');
    expect(kept).toBe('c');
    kept = withoutValue(kept, 'c');
    expect(kept).toBeUndefined();
    expect(countOf(kept)).toBe(0);
    expect([...valuesOf(kept)]).toEqual([]);
  });

  it('tells which values it holds', () => {
    const one: OneOrMany<string> = 'a';
    const many: OneOrMany<string> = withValue(one, 'b');
    expect([includes(undefined, 'a'), includes(one, 'a'), includes(one, 'b'), includes(many, 'b'), includes(many, 'c')]).toEqual([
      false,
      true,
      false,
      true,
      false,
    ]);
  });
});
