import { createRequire } from 'node:module';
import { decodeBatchAppendRequest } from './wire/batch-append-request-decoder.ts';
import type * as StreamsMessages from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedMessages from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusMessages from '@eventstore/db-client/generated/status_pb.js';
import type * as ServerFeaturesMessages from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as GossipMessages from '@eventstore/db-client/generated/gossip_pb.js';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as GossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb.js';
import type * as AnyMessages from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyMessages from 'google-protobuf/google/protobuf/empty_pb.js';

// The generated serializers check `instanceof` against their own message classes, so every
// response must be built from the very module instances the service definitions loaded.
const requireFromHere = createRequire(import.meta.url);
const generatedEntry = requireFromHere.resolve('@eventstore/db-client/generated/streams_pb.js');
const requireFromGenerated = createRequire(generatedEntry);

export const streams = requireFromGenerated('./streams_pb.js') as typeof StreamsMessages;
export const shared = requireFromGenerated('./shared_pb.js') as typeof SharedMessages;
export const status = requireFromGenerated('./status_pb.js') as typeof StatusMessages;
export const serverFeatures = requireFromGenerated(
  './serverfeatures_pb.js',
) as typeof ServerFeaturesMessages;
export const gossip = requireFromGenerated('./gossip_pb.js') as typeof GossipMessages;
export const anyMessage = requireFromGenerated(
  'google-protobuf/google/protobuf/any_pb.js',
) as typeof AnyMessages;
export const googleEmpty = requireFromGenerated(
  'google-protobuf/google/protobuf/empty_pb.js',
) as typeof EmptyMessages;

const generatedStreamsService = (requireFromGenerated('./streams_grpc_pb.js') as typeof StreamsGrpc)
  .StreamsService;

/**
 * Hot responses are encoded by hand into Buffers (see wire/); everything else is still a
 * generated message. The serializer passes Buffers through and hands the rest to google-protobuf.
 */
function acceptingPreEncoded<Definition extends { responseSerialize: (value: never) => Buffer }>(
  definition: Definition,
): Definition {
  const serialize = definition.responseSerialize as (value: unknown) => Buffer;
  return {
    ...definition,
    responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : serialize(value)),
  };
}

export const streamsService = {
  ...generatedStreamsService,
  read: acceptingPreEncoded(generatedStreamsService.read),
  batchAppend: {
    ...acceptingPreEncoded(generatedStreamsService.batchAppend),
    requestDeserialize: decodeBatchAppendRequest,
  },
};
export const serverFeaturesService = (
  requireFromGenerated('./serverfeatures_grpc_pb.js') as typeof ServerFeaturesGrpc
).ServerFeaturesService;
export const gossipService = (requireFromGenerated('./gossip_grpc_pb.js') as typeof GossipGrpc)
  .GossipService;

export type ReadRequest = StreamsMessages.ReadReq;
export type ReadResponse = StreamsMessages.ReadResp;
export type AppendRequest = StreamsMessages.AppendReq;
export type AppendResponse = StreamsMessages.AppendResp;
export type BatchAppendRequest = StreamsMessages.BatchAppendReq;
export type BatchAppendResponse = StreamsMessages.BatchAppendResp;
export type DeleteRequest = StreamsMessages.DeleteReq;
export type DeleteResponse = StreamsMessages.DeleteResp;
export type TombstoneRequest = StreamsMessages.TombstoneReq;
export type TombstoneResponse = StreamsMessages.TombstoneResp;
export type Uuid = SharedMessages.UUID;
export type StreamIdentifier = SharedMessages.StreamIdentifier;
export type SupportedMethods = ServerFeaturesMessages.SupportedMethods;
export type ClusterInfo = GossipMessages.ClusterInfo;
