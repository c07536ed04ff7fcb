/** The double-entry journal and the balances it adds up to. */
export const ledgerTypeDefs = /* GraphQL */ `
  "One account of one currency. Balances are debits minus credits (liabilities show negative)."
  type AccountBalance {
    code: String!
    currency: String!
    debits: Money!
    credits: Money!
    balance: Money!
    "Number of journal lines posted to the account."
    lineCount: String!
    updatedAt: DateTime
  }

  type JournalLine {
    lineNumber: Int!
    account: String!
    debit: Money!
    credit: Money!
  }

  type JournalEntry {
    id: ID!
    paymentId: ID!
    merchantId: ID!
    "The event that booked this entry."
    eventType: String!
    eventId: ID!
    stream: String!
    position: String!
    description: String!
    occurredAt: DateTime!
    recordedAt: DateTime!
    lines: [JournalLine!]!
  }

  type JournalEntryEdge {
    cursor: String!
    node: JournalEntry!
  }

  type JournalEntryConnection {
    edges: [JournalEntryEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  input JournalEntryFilter {
    paymentId: ID
    eventType: String
    "Entries with at least one line on this account."
    account: String
    currency: String
    "Inclusive."
    from: DateTime
    "Exclusive."
    to: DateTime
    merchantId: ID
  }

  """
  Sums of every journal line of one currency. total = debits - credits: zero when the books
  balance.
  """
  type TrialBalance {
    currency: String!
    "The instant the balance was computed at; null means now."
    asOf: DateTime
    debits: Money!
    credits: Money!
    total: Money!
    accounts: [AccountBalance!]!
  }
`;
