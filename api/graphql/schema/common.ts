/** Scalars, money, errors and the shared connection pieces. */
export const commonTypeDefs = /* GraphQL */ `
  "An instant, RFC 3339 with a time zone (e.g. 2025-01-31T12:00:00.000Z)."
  scalar DateTime
  "Any JSON value."
  scalar JSON

  """
  An amount of money. amount is the integer number of minor units as a decimal string
  ("1050" is 10.50 USD, "1050" is 1050 JPY); never a float.
  """
  type Money {
    amount: String!
    "ISO 4217 code."
    currency: String!
    "The decimal spelling with the currency's exponent, e.g. 10.50."
    formatted: String!
  }

  input MoneyInput {
    "Integer minor units as a decimal string, at most 64 bits, greater than zero."
    amount: String!
    "ISO 4217 code of a tender currency."
    currency: String!
  }

  "A business refusal: the command was understood and declined. See README for the codes."
  type UserError {
    code: String!
    message: String!
    "Path of the input field at fault, e.g. [\\"input\\", \\"amount\\", \\"amount\\"]."
    field: [String!]
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  "Who the API key belongs to."
  type Me {
    keyId: String!
    "A tenant (merchant) id, or * for a platform-wide key."
    tenant: String!
    roles: [String!]!
  }
`;
