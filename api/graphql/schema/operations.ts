/** The root types: what clients can ask and do. Each field says the role it needs. */
export const operationTypeDefs = /* GraphQL */ `
  type Query {
    "The caller's key. Any role."
    me: Me!
    "A payment by id; null when missing or another tenant's. Role read."
    payment(id: ID!): Payment
    "Payments ordered by (createdAt, id). Page size 20 by default, 100 at most. Role read."
    payments(
      first: Int
      after: String
      last: Int
      before: String
      filter: PaymentFilter
    ): PaymentConnection!
    "Role read."
    refund(id: ID!): Refund
    "Refunds ordered by (createdAt, id). Role read."
    refunds(
      first: Int
      after: String
      last: Int
      before: String
      filter: RefundFilter
    ): RefundConnection!
    "Current balances of every account, per currency. Role read."
    accounts(currency: String): [AccountBalance!]!
    "Role read."
    account(code: String!, currency: String!): AccountBalance
    "Journal entries ordered by (occurredAt, id). Role read."
    journalEntries(
      first: Int
      after: String
      last: Int
      before: String
      filter: JournalEntryFilter
    ): JournalEntryConnection!
    "Role read; with asOf, sums the journal lines that occurred at or before that instant."
    trialBalance(currency: String!, asOf: DateTime): TrialBalance!
    "Stored events ordered by global position, from the audit read model. Role audit."
    auditLog(
      first: Int
      after: String
      last: Int
      before: String
      filter: AuditLogFilter
    ): AuditEventConnection!
    """
    The payment as it stood at an instant: its events are read FROM THE EVENT STORE and
    replayed up to that instant (recordedAt <= at); the read model is not used. Null when the
    payment is missing, another tenant's, or did not exist yet. Role audit.
    """
    paymentAsOf(id: ID!, at: DateTime!): PaymentSnapshot
    "Progress of the read-model projections. Role operate."
    projections: [ProjectionStatus!]!
    "Provider callbacks parked after repeated failures. Role operate."
    parkedCallbacks(first: Int, after: String, last: Int, before: String): ParkedCallbackConnection!
  }

  input CreatePaymentInput {
    amount: MoneyInput!
    reference: String
    providerPaymentId: String
    "Repeat a request with the same key to get the first result back; never double-charges."
    idempotencyKey: String!
    "Required with a platform-wide key; otherwise omitted or the key's own tenant."
    merchantId: ID
  }

  input AuthorizePaymentInput {
    paymentId: ID!
    "Defaults to the whole payment amount."
    amount: MoneyInput
    idempotencyKey: String!
  }

  input CapturePaymentInput {
    paymentId: ID!
    "Omitted: the whole remaining authorization."
    amount: MoneyInput
    idempotencyKey: String!
  }

  input VoidPaymentInput {
    paymentId: ID!
    idempotencyKey: String!
    reason: String
  }

  input RefundPaymentInput {
    paymentId: ID!
    amount: MoneyInput!
    reason: String
    idempotencyKey: String!
  }

  """
  payment is the state the command left (not a read-model row), so a repeat returns the same
  payload. consistencyToken: send it as the X-Consistency-Token header to read your write.
  """
  type PaymentPayload {
    payment: Payment
    consistencyToken: String
    errors: [UserError!]!
  }

  type RefundPayload {
    refund: Refund
    payment: Payment
    consistencyToken: String
    errors: [UserError!]!
  }

  input SkipProjectionEventInput {
    name: String!
    "The global position the projection is stopped on (ProjectionStatus.failedPosition)."
    position: String!
  }

  input RetryProjectionInput {
    name: String!
  }

  "Payment mutations need role write; projection actions need role operate on a platform key."
  type Mutation {
    createPayment(input: CreatePaymentInput!): PaymentPayload!
    authorizePayment(input: AuthorizePaymentInput!): PaymentPayload!
    capturePayment(input: CapturePaymentInput!): PaymentPayload!
    voidPayment(input: VoidPaymentInput!): PaymentPayload!
    refundPayment(input: RefundPaymentInput!): RefundPayload!
    "Steps over the event a failed projection is stopped on; it stays recorded as skipped."
    skipProjectionEvent(input: SkipProjectionEventInput!): ProjectionStatus!
    "Tries the event a failed projection is stopped on again (after a fix)."
    retryProjection(input: RetryProjectionInput!): ProjectionStatus!
  }
`;
