import type { RegionPrices } from "./price-table.ts";

/** How a price is found in a service's price list file: its product's usage type and attributes. */
export interface PriceListRule {
  /** The offer code in https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json */
  service: string;
  /** The product's usagetype ends with this (regions prefix it: USE1-, EU-, EUC1-...). */
  usagetypeEndsWith: string;
  /** Other attributes the product must have, exactly. */
  attributes?: Record<string, string>;
  /** What one unit of the table is in the price list's unit (GB-month from GB-month: 1). */
  perTableUnit?: number;
}

/**
 * Where each price of the table comes from in AWS's price list (Query API files, one per service
 * and region). The first paid tier is taken (free tiers and volume discounts aside): the price a
 * small account pays for one more unit. Written from the price list's documented layout
 * (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html); not run
 * against the live files from here, where they cannot be reached.
 */
export const PRICE_LIST_RULES: Record<keyof RegionPrices, PriceListRule> = {
  lambdaRequest: { service: "AWSLambda", usagetypeEndsWith: "Request-ARM" },
  lambdaGbSecond: { service: "AWSLambda", usagetypeEndsWith: "Lambda-GB-Second-ARM" },
  httpApiRequest: { service: "AmazonApiGateway", usagetypeEndsWith: "ApiGatewayHttpRequest" },
  restApiRequest: { service: "AmazonApiGateway", usagetypeEndsWith: "ApiGatewayRequest" },
  dynamoReadUnit: { service: "AmazonDynamoDB", usagetypeEndsWith: "ReadRequestUnits" },
  dynamoWriteUnit: { service: "AmazonDynamoDB", usagetypeEndsWith: "WriteRequestUnits" },
  dynamoStorageGbMonth: {
    service: "AmazonDynamoDB",
    usagetypeEndsWith: "TimedStorage-ByteHrs",
    attributes: { volumeType: "Amazon DynamoDB - Indexed DataStore" },
  },
  logIngestionGb: { service: "AmazonCloudWatch", usagetypeEndsWith: "DataProcessing-Bytes" },
  logStorageGbMonth: { service: "AmazonCloudWatch", usagetypeEndsWith: "TimedStorage-ByteHrs" },
  s3StandardGbMonth: {
    service: "AmazonS3",
    usagetypeEndsWith: "TimedStorage-ByteHrs",
    attributes: { volumeType: "Standard" },
  },
  instanceHour: {
    service: "AmazonEC2",
    usagetypeEndsWith: "BoxUsage:t4g.nano",
    attributes: { operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used" },
  },
  publicIpv4Hour: { service: "AmazonVPC", usagetypeEndsWith: "PublicIPv4:InUseAddress" },
  ebsGbMonth: { service: "AmazonEC2", usagetypeEndsWith: "EBS:VolumeUsage.gp3" },
};
