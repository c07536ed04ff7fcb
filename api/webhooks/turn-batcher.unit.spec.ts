import { describe, expect, it } from 'vitest';
import { TurnBatcher } from './turn-batcher.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatcher', () => {
  it('sends what one turn added as one batch, in order, with its transfer list', async () => {
    const sent: { items: number[]; transfer: ArrayBuffer[] }[] = [];
    const batcher = new TurnBatcher<number>((items, transfer) => sent.push({ items, transfer }));
    const buffer = new ArrayBuffer(8);
    batcher.add(1, buffer);
    batcher.add(2);
    batcher.add(3);
    expect(sent).toHaveLength(0);
    await nextTurn();
    expect(sent).toEqual([{ items: [1, 2, 3], transfer: [buffer] }]);
  });

  it('starts a new batch for what a later turn adds, and sends nothing when nothing was added', async () => {
    const sent: number[][] = [];
    const batcher = new TurnBatcher<number>((items) => sent.push(items));
    batcher.add(1);
    await nextTurn();
    await nextTurn();
    batcher.add(2);
    await nextTurn();
    expect(sent).toEqual([[1], [2]]);
  });
});
