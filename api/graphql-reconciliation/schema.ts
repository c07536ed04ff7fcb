/**
 * Reconciliation's SDL fragment. It extends Query, Mutation and Payment, so it is merged after
 * the main schema's own type definitions (api/graphql/schema/index.ts).
 */
export const reconciliationTypeDefs = /* GraphQL */ `
  enum ReconciliationReportFormat {
    "Stripe's balance-transactions export (Dashboard or itemized report), decimal amounts."
    STRIPE_BALANCE_CSV
    "The ledger's own settlement CSV, integer minor units (README: reconciliation)."
    LEDGER_CSV
  }

  enum ReconciliationOutcome {
    MATCHED
    AMOUNT_MISMATCH
    CURRENCY_MISMATCH
    STATUS_MISMATCH
    MISSING_IN_LEDGER
    MISSING_AT_PROVIDER
    DUPLICATE
    "The ledger has no posting rule for what the line asks (e.g. a fee on a dispute)."
    UNSUPPORTED
    "A line that moves no payment's money (payouts, provider invoices): counted, not matched."
    IGNORED
  }

  enum ReconciliationRunStatus {
    RUNNING
    COMPLETED
  }

  enum ReconciliationExceptionStatus {
    OPEN
    RESOLVED
  }

  enum ReconciliationResolution {
    "Apply the provider's figure to the ledger (the exception's proposed command), then close."
    ACCEPT_PROVIDER_FIGURE
    "Close without changing the ledger."
    WRITE_OFF
    "Open a resolved exception again."
    REOPEN
  }

  enum SettlementStatus {
    NOT_CAPTURED
    AWAITING_SETTLEMENT
    SETTLED
    "An open reconciliation exception names this payment."
    EXCEPTION
  }

  "Lines (and ledger payments missing from the report) per outcome."
  type ReconciliationCounts {
    matched: Int!
    amountMismatch: Int!
    currencyMismatch: Int!
    statusMismatch: Int!
    missingInLedger: Int!
    missingAtProvider: Int!
    duplicate: Int!
    unsupported: Int!
    ignored: Int!
  }

  type ReconciliationRun {
    "Derived from the merchant and the SHA-256 of the file: the same file is the same run."
    id: ID!
    "The tenant the run matched within, or * for a platform-wide run."
    merchantId: ID!
    fileName: String!
    fileSha256: String!
    format: ReconciliationReportFormat!
    lineCount: Int!
    status: ReconciliationRunStatus!
    "Earliest and latest line dates; MISSING_AT_PROVIDER looks at payments created between."
    periodStart: DateTime
    periodEnd: DateTime
    startedAt: DateTime!
    completedAt: DateTime
    counts: ReconciliationCounts!
    openExceptionCount: Int!
    "Exceptions in file order (payments missing from the report last). Role read."
    exceptions(
      first: Int
      after: String
      status: ReconciliationExceptionStatus
      outcome: ReconciliationOutcome
    ): ReconciliationExceptionConnection!
  }

  type ReconciliationException {
    "Unique within its run: L<line> for a report line, P<paymentId> for a missing payment."
    id: ID!
    runId: ID!
    outcome: ReconciliationOutcome!
    status: ReconciliationExceptionStatus!
    lineNumber: Int
    lineId: String
    paymentId: ID
    reason: String!
    "The report line, the ledger figures and the proposed command, exactly as recorded."
    evidence: JSON!
    "The line's gross, as the report has it."
    reportAmount: Money
    "The ledger payment's captured amount."
    ledgerAmount: Money
    "Whether ACCEPT_PROVIDER_FIGURE can apply anything here."
    acceptable: Boolean!
    resolution: ReconciliationResolution
    resolutionNote: String
    resolvedBy: String
    resolvedAt: DateTime
    raisedAt: DateTime!
  }

  type ReconciliationRunEdge {
    cursor: String!
    node: ReconciliationRun!
  }

  type ReconciliationRunConnection {
    edges: [ReconciliationRunEdge!]!
    pageInfo: PageInfo!
  }

  type ReconciliationExceptionEdge {
    cursor: String!
    node: ReconciliationException!
  }

  type ReconciliationExceptionConnection {
    edges: [ReconciliationExceptionEdge!]!
    pageInfo: PageInfo!
  }

  "A row of the file that does not read; the whole file is refused and nothing changes."
  type ReconciliationLineProblem {
    line: Int!
    message: String!
  }

  input ReconcileReportInput {
    filename: String!
    format: ReconciliationReportFormat!
    "The file's bytes in base64; or give content."
    contentBase64: String
    "The file as text (UTF-8); or give contentBase64."
    content: String
    "With a platform-wide key: the merchant to reconcile; omitted, every merchant's payments."
    merchantId: ID
  }

  type ReconcileReportPayload {
    "The run, from the write side (the read model may lag: see consistencyToken)."
    run: ReconciliationRun
    "True when this file had been reconciled before: nothing was done again."
    alreadyReconciled: Boolean!
    "Up to 100 unreadable rows, when the file was refused."
    problems: [ReconciliationLineProblem!]!
    problemCount: Int!
    consistencyToken: String
    errors: [UserError!]!
  }

  input ResolveReconciliationExceptionInput {
    runId: ID!
    exceptionId: ID!
    resolution: ReconciliationResolution!
    "Why; kept with the ruling in the run's audit trail."
    note: String!
  }

  type ResolveReconciliationExceptionPayload {
    run: ReconciliationRun
    errors: [UserError!]!
  }

  extend type Query {
    "Reconciliation runs, newest first. Page size 20 by default, 100 at most. Role read."
    reconciliationRuns(first: Int, after: String): ReconciliationRunConnection!
    "Role read."
    reconciliationRun(id: ID!): ReconciliationRun
  }

  extend type Mutation {
    "Reconciles a provider report against the ledger. Role operate."
    reconcileReport(input: ReconcileReportInput!): ReconcileReportPayload!
    "An operator's audited ruling on one exception. Role operate."
    resolveReconciliationException(
      input: ResolveReconciliationExceptionInput!
    ): ResolveReconciliationExceptionPayload!
  }

  extend type Payment {
    "Where the payment stands in settlement; EXCEPTION while a reconciliation disputes it."
    settlementStatus: SettlementStatus!
    "What the provider kept when it settled the payment; null until settled."
    settlementFee: Money
  }
`;
