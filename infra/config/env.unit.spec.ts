import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.DATA_DIR).toBe('./.data');
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.RATE_LIMIT_RPS).toBe(100);
    expect(config.RATE_LIMIT_BURST).toBe(200);
  });

  it('reports one line per wrong variable and never echoes values', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://secret-password@host/db',
        LOG_LEVEL: 'loud',
        WEBHOOK_SECRET_STRIPE: 'short',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'WEBHOOK_SECRET_STRIPE',
    ]);
    expect(problems.join('\n')).not.toContain('secret-password');
  });

  it('reads several webhook secrets per provider for rotation', () => {
    const config = loadConfig({
      WEBHOOK_SECRET_STRIPE: 'whsec_0123456789abcdef, whsec_fedcba9876543210',
    });
    expect(config.webhookSecrets.get('stripe')).toEqual([
      'whsec_0123456789abcdef',
      'whsec_fedcba9876543210',
    ]);
  });

  it('accepts real connection strings', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://user:pass@db:5432/ledger',
      ESDB_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false',
      PORT: '0',
    });
    expect(config.PORT).toBe(0);
    expect(config.ESDB_CONNECTION_STRING).toBe('esdb://127.0.0.1:2113?tls=false');
  });
});
