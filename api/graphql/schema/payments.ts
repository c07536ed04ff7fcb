/** Payments and refunds as the read model holds them, and the point-in-time snapshot. */
export const paymentTypeDefs = /* GraphQL */ `
  enum PaymentStatus {
    INITIATED
    AUTHORIZED
    PARTIALLY_CAPTURED
    CAPTURED
    SETTLED
    FAILED
    VOIDED
    EXPIRED
  }

  enum RefundStatus {
    PENDING
    SUCCEEDED
    FAILED
  }

  "A payment, from the read model (or, in a mutation payload, from the command's own result)."
  type Payment {
    id: ID!
    status: PaymentStatus!
    amount: Money!
    authorizedAmount: Money!
    capturedAmount: Money!
    "What may still be captured of the authorization."
    capturableAmount: Money!
    "Pending plus succeeded refunds."
    refundedAmount: Money!
    refundPendingAmount: Money!
    refundSucceededAmount: Money!
    refundableAmount: Money!
    disputedAmount: Money!
    settledAmount: Money!
    feeAmount: Money!
    reference: String
    providerPaymentId: String
    provider: String
    "The tenant the payment belongs to."
    merchantId: ID!
    captureMode: String!
    authorizationExpiresAt: DateTime
    captureExpiresAt: DateTime
    closeReason: String
    createdAt: DateTime!
    updatedAt: DateTime!
    "Stream revision of the last event reflected here."
    revision: String!
    refunds: [Refund!]!
    "The double-entry journal entries this payment booked, oldest first. Role read."
    journalEntries: [JournalEntry!]!
    "Every event of the payment, in order, read from the event store. Role audit."
    history: [AuditEvent!]!
  }

  type Refund {
    id: ID!
    paymentId: ID!
    merchantId: ID!
    status: RefundStatus!
    amount: Money!
    reason: String
    failureReason: String
    requestedAt: DateTime!
    resolvedAt: DateTime
    "The payment refunded (from the read model)."
    payment: Payment
  }

  type Dispute {
    id: ID!
    status: String!
    amount: Money!
    reason: String
    openedAt: DateTime!
    resolvedAt: DateTime
  }

  """
  A payment as it stood at one instant, computed by replaying the payment's events from the
  event store (never from the read model).
  """
  type PaymentSnapshot {
    id: ID!
    "The instant asked for."
    asOf: DateTime!
    status: PaymentStatus!
    amount: Money!
    authorizedAmount: Money!
    capturedAmount: Money!
    capturableAmount: Money!
    refundedAmount: Money!
    refundableAmount: Money!
    disputedAmount: Money!
    settledAmount: Money!
    feeAmount: Money!
    reference: String
    providerPaymentId: String
    merchantId: ID!
    createdAt: DateTime!
    updatedAt: DateTime!
    "Stream revision of the last event folded."
    revision: String!
    "How many events were folded."
    eventCount: Int!
    refunds: [Refund!]!
    disputes: [Dispute!]!
  }

  type PaymentEdge {
    cursor: String!
    node: Payment!
  }

  type PaymentConnection {
    edges: [PaymentEdge!]!
    pageInfo: PageInfo!
    "Number of payments matching the filter, over all pages (one extra query: ask only if needed)."
    totalCount: Int!
  }

  input PaymentFilter {
    status: [PaymentStatus!]
    currency: String
    "Inclusive lower bound, minor units."
    amountMin: String
    "Inclusive upper bound, minor units."
    amountMax: String
    "Inclusive."
    createdFrom: DateTime
    "Exclusive."
    createdTo: DateTime
    providerPaymentId: String
    reference: String
    "Only for a platform-wide key; a tenant's key always sees its own payments only."
    merchantId: ID
  }

  type RefundEdge {
    cursor: String!
    node: Refund!
  }

  type RefundConnection {
    edges: [RefundEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  input RefundFilter {
    status: [RefundStatus!]
    paymentId: ID
    currency: String
    createdFrom: DateTime
    createdTo: DateTime
    merchantId: ID
  }
`;
