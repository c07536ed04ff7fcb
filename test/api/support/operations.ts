/** The GraphQL documents the API tests send, as a client would write them. */
export const paymentFields = /* GraphQL */ `
  fragment PaymentFields on Payment {
    id
    status
    merchantId
    reference
    revision
    amount {
      amount
      currency
      formatted
    }
    authorizedAmount {
      amount
    }
    capturedAmount {
      amount
    }
    refundedAmount {
      amount
    }
    refundableAmount {
      amount
    }
    refunds {
      id
      status
      amount {
        amount
        currency
      }
    }
  }
`;

export const createPayment = /* GraphQL */ `
  mutation Create($input: CreatePaymentInput!) {
    createPayment(input: $input) {
      payment {
        ...PaymentFields
      }
      consistencyToken
      errors {
        code
        message
        field
      }
    }
  }
  ${paymentFields}
`;

export const authorizePayment = /* GraphQL */ `
  mutation Authorize($input: AuthorizePaymentInput!) {
    authorizePayment(input: $input) {
      payment {
        ...PaymentFields
      }
      consistencyToken
      errors {
        code
        message
        field
      }
    }
  }
  ${paymentFields}
`;

export const capturePayment = /* GraphQL */ `
  mutation Capture($input: CapturePaymentInput!) {
    capturePayment(input: $input) {
      payment {
        ...PaymentFields
      }
      consistencyToken
      errors {
        code
        message
        field
      }
    }
  }
  ${paymentFields}
`;

export const voidPayment = /* GraphQL */ `
  mutation Void($input: VoidPaymentInput!) {
    voidPayment(input: $input) {
      payment {
        ...PaymentFields
      }
      consistencyToken
      errors {
        code
        message
        field
      }
    }
  }
  ${paymentFields}
`;

export const refundPayment = /* GraphQL */ `
  mutation Refund($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      refund {
        id
        status
        paymentId
        amount {
          amount
          currency
        }
        reason
      }
      payment {
        ...PaymentFields
      }
      consistencyToken
      errors {
        code
        message
        field
      }
    }
  }
  ${paymentFields}
`;

export interface MoneyData {
  amount: string;
  currency?: string;
  formatted?: string;
}

export interface PaymentData {
  id: string;
  status: string;
  merchantId: string;
  reference: string | null;
  revision: string;
  amount: MoneyData;
  authorizedAmount: MoneyData;
  capturedAmount: MoneyData;
  refundedAmount: MoneyData;
  refundableAmount: MoneyData;
  refunds: { id: string; status: string; amount: MoneyData }[];
}

export interface UserErrorData {
  code: string;
  message: string;
  field: string[] | null;
}

export interface PaymentPayloadData {
  payment: PaymentData | null;
  consistencyToken: string | null;
  errors: UserErrorData[];
}

export interface RefundPayloadData extends PaymentPayloadData {
  refund: {
    id: string;
    status: string;
    paymentId: string;
    amount: MoneyData;
    reason: string | null;
  } | null;
}

export interface PageInfoData {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface ConnectionData<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfoData;
  totalCount?: number;
}
