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
    "running, failed or paused (shared by every instance)."
    state: String!
    "catching_up, live, failed, paused, standby or unknown, as this instance sees it."
    phase: String!
    "Instance holding the projection's lock."
    owner: String
    "Global position of the last event applied; null before the first."
    checkpoint: String
    "Global position of the newest event in the store."
    headPosition: String!
    "Events of the projection's types not applied yet (a lower bound when lagCapped)."
    lag: Int!
    lagCapped: Boolean!
    "Age of the oldest event not applied yet."
    lagSeconds: Float!
    eventsApplied: String!
    throughputPerSecond: Float!
    lastError: String
    lastErrorAt: DateTime
    "Position of the event the projection stopped on, while failed."
    failedPosition: String
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
