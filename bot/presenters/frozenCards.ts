import type { Attachment } from 'botbuilder';

/**
 * Rendered cards kept by the data they were rendered from, for the Graph-free answers (help, whoami) whose data repeats
 * from message to message: expanding a template was the largest share of such a turn. Each card is deeply frozen, so the
 * same object can answer everyone with that data and no answer can change a later one. Past `capacity` entries the cache
 * starts over, which only costs renders.
 */
export class FrozenCardCache {
  private readonly cards = new Map<string, Attachment>();

  constructor(private readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get(key: string, render: () => Attachment): Attachment {
    let card = this.cards.get(key);
    if (card === undefined) {
      card = deepFreeze(render());
      if (this.cards.size >= this.capacity) this.cards.clear();
      this.cards.set(key, card);
    }
    return card;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
