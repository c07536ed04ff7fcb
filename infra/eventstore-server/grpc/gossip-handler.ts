import { randomUUID } from 'node:crypto';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { uuidMessage } from './codec.ts';
import { gossip, type ClusterInfo } from './protocol.ts';

const leaderState = 8;
const ticksPerMillisecond = 10_000n;

/** A single-node cluster: this server is the alive leader, reachable where the client came from. */
export function gossipHandler(advertisedHost: string, advertisedPort: () => number) {
  const instanceId = Buffer.from(randomUUID().replaceAll('-', ''), 'hex');
  return (
    _call: ServerUnaryCall<unknown, ClusterInfo>,
    callback: sendUnaryData<ClusterInfo>,
  ): void => {
    const member = new gossip.MemberInfo()
      .setInstanceId(uuidMessage(instanceId, 'structured'))
      .setTimeStamp((BigInt(Date.now()) * ticksPerMillisecond).toString())
      .setState(leaderState as Parameters<InstanceType<typeof gossip.MemberInfo>['setState']>[0])
      .setIsAlive(true)
      .setHttpEndPoint(new gossip.EndPoint().setAddress(advertisedHost).setPort(advertisedPort()));
    callback(null, new gossip.ClusterInfo().setMembersList([member]));
  };
}
