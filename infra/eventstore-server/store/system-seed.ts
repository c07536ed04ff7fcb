import { randomUUID } from 'node:crypto';
import type { ProposedEvent } from './event-store.ts';

interface SeedEvent {
  streamName: string;
  event: ProposedEvent;
}

function seed(streamName: string, eventType: string, data: unknown): SeedEvent {
  return {
    streamName,
    event: {
      eventId: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
      eventType,
      isJson: true,
      data: Buffer.from(JSON.stringify(data), 'utf8'),
      metadata: new Uint8Array(0),
    },
  };
}

function userSeed(loginName: string, fullName: string, groups: string[]): SeedEvent[] {
  const user = { loginName, fullName, groups, disabled: false };
  return [
    seed(`$$$user-${loginName}`, '$metadata', {
      $acl: { $w: '$admins', $d: '$admins', $mw: '$admins' },
    }),
    seed(`$user-${loginName}`, '$UserCreated', user),
    seed('$users', '$User', { loginName }),
  ];
}

/**
 * A fresh ESDB node already has system events in `$all` (users, settings); clients and their
 * tests rely on `$all` not starting empty. Written once, when the log is created.
 */
export function systemSeedEvents(): SeedEvent[] {
  return [
    seed('$$$users', '$metadata', { $acl: { $r: '$admins', $w: '$admins' } }),
    ...userSeed('admin', 'Event Store Administrator', ['$admins']),
    ...userSeed('ops', 'Event Store Operations', ['$ops']),
    seed('$$$settings', '$metadata', { $maxCount: 1 }),
    seed('$settings', '$update-default-acl', {
      $userStreamAcl: { $r: '$all', $w: '$all', $d: '$all', $mr: '$all', $mw: '$all' },
      $systemStreamAcl: {
        $r: '$admins',
        $w: '$admins',
        $d: '$admins',
        $mr: '$admins',
        $mw: '$admins',
      },
    }),
    seed('$$$scavenges', '$metadata', { $maxAge: 2592000 }),
    seed('$$$stats-127.0.0.1:2113', '$metadata', { $maxAge: 86400 }),
    seed('$$$projections-$all', '$metadata', { $maxCount: 1 }),
    seed('$projections-$all', '$ProjectionsInitialized', {}),
    seed('$$$persistentSubscriptionConfig', '$metadata', { $maxCount: 1 }),
    seed('$persistentSubscriptionConfig', '$PersistentConfig', { version: '2', entries: [] }),
  ];
}
