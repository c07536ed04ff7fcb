/** Audit log, projections status and operator views. */
export const auditTypeDefs = /* GraphQL */ `
  """
  One stored event. metadata holds actor, source, correlationId, causationId, tenantId,
  schemaVersion, hash and previousHash (the hash chain of the stream).
  """
  type AuditEvent {
    id: ID!
    type: String!
    stream: String!
    revision: String!
    "Commit position in the event store's global log."
    position: String!
    recordedAt: DateTime!
    data: JSON!
    metadata: JSON!
  }

  type AuditEventEdge {
    cursor: String!
    node: AuditEvent!
  }

  type AuditEventConnection {
    edges: [AuditEventEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  input AuditLogFilter {
    stream: String
    type: String
    actor: String
    correlationId: String
    paymentId: ID
    "Inclusive."
    from: DateTime
    "Exclusive."
    to: DateTime
    merchantId: ID
  }

  "Progress of one read-model projection."
  type ProjectionStatus {
    name: String!
    version: Int!
    "running, failed or paused."
    state: String!
    "Global position of the last event applied; null before the first."
    checkpoint: String
    "Global position of the newest event in the store minus the checkpoint."
    lag: String
    lastError: String
    lastErrorAt: DateTime
    eventsApplied: String
    updatedAt: DateTime
  }

  "A provider callback that failed too often and waits for an operator."
  type ParkedCallback {
    provider: String!
    providerEventId: String!
    merchantId: ID!
    eventType: String!
    paymentId: ID
    attempts: Int!
    lastError: String
    receivedAt: DateTime!
    parkedAt: DateTime
  }

  type ParkedCallbackEdge {
    cursor: String!
    node: ParkedCallback!
  }

  type ParkedCallbackConnection {
    edges: [ParkedCallbackEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }
`;
