import { expect } from 'vitest';
import type { ErrorCode } from '../../errors.ts';
import type { PaymentCommand } from '../commands.ts';
import type { PaymentEvent } from '../events.ts';
import { decideAfter } from './fixtures.ts';

/** Given these events, when this command, then exactly these events. */
export function expectEvents(given: PaymentEvent[], when: PaymentCommand, then: PaymentEvent[]) {
  expect(decideAfter(given, when)).toEqual({ ok: true, events: then });
}

/** Given these events, when this command, then a refusal with this code. */
export function expectRefusal(given: PaymentEvent[], when: PaymentCommand, code: ErrorCode) {
  expect(decideAfter(given, when)).toMatchObject({ ok: false, error: { code } });
}
