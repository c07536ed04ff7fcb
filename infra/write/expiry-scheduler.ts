import type { Logger } from '../logging/logger.ts';
import type { Pool } from '../postgres/pool.ts';
import type { PaymentService } from './payment-service.ts';

/**
 * Time-outs: a payment not authorized within its window expires; an authorization not captured
 * within its window is voided. The read model says which payments are due; the write path decides,
 * so acting twice is impossible: the decider emits PaymentExpired only on an INITIATED payment past
 * its deadline, the expected revision loses any race with a concurrent authorize or capture, and
 * a restart simply finds the still-due payments again.
 */
export interface ExpirySchedulerOptions {
  pool: Pool;
  paymentService: PaymentService;
  logger: Logger;
  intervalMs: number;
  batchSizeMax: number;
  clock?: () => Date;
}

export interface ExpiryRound {
  expired: number;
  voided: number;
  refused: number;
}

type Due = { payment_id: string; kind: 'expire' | 'void' };

async function findDue(pool: Pool, now: Date, limit: number): Promise<Due[]> {
  const result = await pool.query<Due>(
    `(SELECT payment_id, 'expire' AS kind FROM payments
       WHERE status = 'INITIATED' AND authorization_expires_at <= $1
       ORDER BY authorization_expires_at LIMIT $2)
     UNION ALL
     (SELECT payment_id, 'void' AS kind FROM payments
       WHERE status = 'AUTHORIZED' AND capture_expires_at <= $1
       ORDER BY capture_expires_at LIMIT $2)`,
    [now, limit],
  );
  return result.rows;
}

export async function runExpiryRound(options: ExpirySchedulerOptions): Promise<ExpiryRound> {
  const now = (options.clock ?? (() => new Date()))();
  const due = await findDue(options.pool, now, options.batchSizeMax);
  const round: ExpiryRound = { expired: 0, voided: 0, refused: 0 };
  for (const { payment_id: paymentId, kind } of due) {
    const caller = {
      tenantId: '*',
      actor: 'system:expiry',
      source: 'system' as const,
      correlationId: `expiry:${paymentId}`,
      causationId: `expiry:${paymentId}:${kind}`,
    };
    const at = now.toISOString();
    const outcome = await options.paymentService.execute(
      caller,
      kind === 'expire'
        ? { type: 'ExpirePayment', data: { paymentId, at } }
        : {
            type: 'VoidPayment',
            data: { paymentId, reason: 'capture window expired', at },
          },
    );
    if (!outcome.ok) round.refused += 1;
    else if (outcome.events.length > 0) round[kind === 'expire' ? 'expired' : 'voided'] += 1;
  }
  return round;
}

export function startExpiryScheduler(options: ExpirySchedulerOptions): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        if (stopped) return;
        const round = await runExpiryRound(options);
        if (round.expired + round.voided > 0) options.logger.info(round, 'payments timed out');
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'expiry round failed'));
  }, options.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
