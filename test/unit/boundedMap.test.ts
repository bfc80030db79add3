import { mapBounded } from '../../bot/graph/boundedMap';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('mapBounded', () => {
  it('never has more than the limit in flight, and keeps the input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    const results = await mapBounded(items, 4, async (item) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (item * 7) % 5));
      inFlight -= 1;
      return item * 2;
    });
    expect(peak).toBe(4);
    expect(results).toEqual(items.map((i) => i * 2));
  });

  it('starts the next item as soon as one finishes', async () => {
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const run = mapBounded([0, 1, 2], 2, async (item) => {
      started.push(item);
      await gates[item]?.promise;
      return item;
    });
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    gates[1]?.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve();
    gates[2]?.resolve();
    await expect(run).resolves.toEqual([0, 1, 2]);
  });

  it('rejects with the first failure and starts nothing more', async () => {
    const started: number[] = [];
    await expect(
      mapBounded([0, 1, 2, 3, 4], 1, async (item) => {
        started.push(item);
        if (item === 1) throw new Error('throttled');
        return item;
      }),
    ).rejects.toThrow('throttled');
    expect(started).toEqual([0, 1]);
  });

  it('answers an empty list without calling, and refuses a limit below one', async () => {
    await expect(mapBounded([], 4, async () => 1)).resolves.toEqual([]);
    await expect(mapBounded([1], 0, async () => 1)).rejects.toBeInstanceOf(RangeError);
  });
});
