import { describe, expect, it } from "vitest";
import { findListPrice, type PriceListFile } from "./find-list-price.ts";
import { PRICE_LIST_RULES } from "./price-list-rules.ts";

// A slice of a price list file in its published layout (products by SKU, OnDemand terms by SKU).
const file: PriceListFile = {
  products: {
    A: { sku: "A", attributes: { usagetype: "USE1-ApiGatewayHttpRequest", operation: "ApiGatewayHttpApi" } },
    B: { sku: "B", attributes: { usagetype: "USE1-ApiGatewayRequest", operation: "ApiGatewayRequest" } },
    C: {
      sku: "C",
      attributes: { usagetype: "USE1-TimedStorage-ByteHrs", volumeType: "Amazon DynamoDB - Indexed DataStore" },
    },
  },
  terms: {
    OnDemand: {
      A: {
        "A.T": {
          priceDimensions: {
            "A.T.2": { beginRange: "300000000", unit: "Requests", pricePerUnit: { USD: "0.0000009000" } },
            "A.T.1": { beginRange: "0", unit: "Requests", pricePerUnit: { USD: "0.0000010000" } },
          },
        },
      },
      B: {
        "B.T": {
          priceDimensions: { "B.T.1": { beginRange: "0", unit: "Requests", pricePerUnit: { USD: "0.0000035" } } },
        },
      },
      C: {
        "C.T": {
          priceDimensions: {
            "C.T.1": { beginRange: "0", unit: "GB-Mo", pricePerUnit: { USD: "0.0000000000" } },
            "C.T.2": { beginRange: "25", unit: "GB-Mo", pricePerUnit: { USD: "0.2500000000" } },
          },
        },
      },
    },
  },
};

describe("findListPrice", () => {
  it("takes the one matching product's first paid tier", () => {
    expect(findListPrice(file, PRICE_LIST_RULES.httpApiRequest)).toEqual({ usd: 0.000001, unit: "Requests" });
    expect(findListPrice(file, PRICE_LIST_RULES.restApiRequest)).toEqual({ usd: 0.0000035, unit: "Requests" });
    expect(findListPrice(file, PRICE_LIST_RULES.dynamoStorageGbMonth)).toEqual({ usd: 0.25, unit: "GB-Mo" });
  });

  it("finds nothing rather than guess when no product, or more than one, matches", () => {
    expect(findListPrice(file, PRICE_LIST_RULES.lambdaRequest)).toBeUndefined();
    expect(findListPrice(file, { service: "AmazonApiGateway", usagetypeEndsWith: "Request" })).toBeUndefined();
  });
});
