/** Provider callbacks as operators see and act on them (role operate). */
export const callbackTypeDefs = /* GraphQL */ `
  enum CallbackState {
    RECEIVED
    PROCESSED
    FAILED
    PARKED
    RESOLVED
  }

  enum CallbackResolution {
    "The operator applied the callback's effect by hand (or confirmed it is in the ledger)."
    APPLIED_MANUALLY
    "The callback needs no effect (e.g. a test event sent by mistake)."
    DISMISSED
  }

  "A received provider callback and its processing state; id is provider:providerEventId."
  type Callback {
    id: ID!
    provider: String!
    providerEventId: String!
    eventType: String!
    state: CallbackState!
    paymentId: ID
    merchantId: ID!
    attempts: Int!
    lastError: String
    nextAttemptAt: DateTime
    outcome: String
    receivedAt: DateTime!
    updatedAt: DateTime!
    "The raw body as the provider signed it."
    payload: String!
  }

  type CallbackPage {
    items: [Callback!]!
    "Pass as after to get the next page; null on the last page."
    nextCursor: String
  }

  type CallbackPayload {
    callback: Callback
    errors: [UserError!]!
  }

  input ResolveCallbackInput {
    id: ID!
    resolution: CallbackResolution!
    note: String!
  }

  extend type Query {
    "Received callbacks, newest first, optionally by state and provider. Role operate."
    callbacks(state: CallbackState, provider: String, first: Int, after: String): CallbackPage!
  }

  extend type Mutation {
    "Processes a callback again (e.g. a parked one after a fix), audited. Role operate."
    replayCallback(id: ID!): CallbackPayload!
    "Closes a callback by hand with a resolution and a note, audited. Role operate."
    resolveCallback(input: ResolveCallbackInput!): CallbackPayload!
  }
`;
