import { describe, expect, it } from 'vitest';
import { ForegroundFirst, ungated } from './background-gate.ts';

function gateAt(pressed: { value: boolean }, clock: { now: number }, pauseMaxMs = 900) {
  return new ForegroundFirst({
    pressed: () => pressed.value,
    pauseMs: 900,
    pauseMaxMs,
    sliceMs: 100,
    pollMs: 1,
    nowMs: () => clock.now,
  });
}

describe('ForegroundFirst', () => {
  it('stays open while the foreground is not pressed', () => {
    const gate = gateAt({ value: false }, { now: 0 });
    expect(gate.open()).toBe(true);
    expect(gate.contended).toBe(false);
  });

  it('closes under pressure for at most the pause, then opens for a slice, and repeats', () => {
    const pressed = { value: true };
    const clock = { now: 1_000 };
    const gate = gateAt(pressed, clock);
    const timeline: boolean[] = [];
    for (let step = 0; step < 20; step += 1) {
      timeline.push(gate.open());
      clock.now += 100;
    }
    // Closed 900 ms (9 looks), open one 100 ms slice, closed again: 10% of the time at least.
    expect(timeline.filter(Boolean).length).toBe(2);
    expect(timeline.slice(0, 9).every((open) => !open)).toBe(true);
    expect(timeline[9]).toBe(true);
    expect(gate.contended).toBe(true);
  });

  it('doubles the pause while the pressure lasts, up to its maximum, and starts over after', () => {
    const pressed = { value: true };
    const clock = { now: 0 };
    const gate = gateAt(pressed, clock, 3_000);
    const opened: number[] = [];
    for (let step = 0; step < 120; step += 1) {
      if (gate.open()) opened.push(clock.now);
      clock.now += 100;
    }
    // Pauses of 0.9, 1.8, 3.0, 3.0 s, each followed by one look in a 100 ms slice.
    expect(opened).toEqual([900, 2_800, 5_900, 9_000]);
    pressed.value = false;
    expect(gate.open()).toBe(true);
    pressed.value = true;
    const restart = clock.now;
    while (!gate.open()) clock.now += 100;
    expect(clock.now - restart).toBe(900);
  });

  it('opens at once when the pressure ends, and starts a fresh pause when it returns', () => {
    const pressed = { value: true };
    const clock = { now: 0 };
    const gate = gateAt(pressed, clock);
    expect(gate.open()).toBe(false);
    clock.now += 500;
    pressed.value = false;
    expect(gate.open()).toBe(true);
    pressed.value = true;
    clock.now += 10;
    expect(gate.open()).toBe(false);
    clock.now += 899;
    expect(gate.open()).toBe(false);
    clock.now += 1;
    expect(gate.open()).toBe(true);
  });

  it('turn() waits while closed and resolves when the pressure ends', async () => {
    const pressed = { value: true };
    const gate = new ForegroundFirst({ pressed: () => pressed.value, pauseMs: 60_000, pollMs: 1 });
    let passed = false;
    const turning = gate.turn().then(() => (passed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(passed).toBe(false);
    pressed.value = false;
    await turning;
    expect(passed).toBe(true);
  });

  it('ungated never waits', async () => {
    expect(ungated.open()).toBe(true);
    await ungated.turn();
  });
});
