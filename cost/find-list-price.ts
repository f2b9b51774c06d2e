import type { PriceListRule } from "./price-list-rules.ts";

/** The parts of a price list file (an offer's index.json) read here. */
export interface PriceListFile {
  products: Record<string, { sku: string; attributes: Record<string, string> }>;
  terms: {
    OnDemand?: Record<
      string,
      Record<
        string,
        { priceDimensions: Record<string, { beginRange?: string; unit: string; pricePerUnit: { USD?: string } }> }
      >
    >;
  };
}

/**
 * The first paid tier's USD price of the one product `rule` names; undefined when no product or
 * more than one matches (the rule is then wrong for this file, and the table is not guessed).
 */
export function findListPrice(file: PriceListFile, rule: PriceListRule): { usd: number; unit: string } | undefined {
  const products = Object.values(file.products).filter(
    (p) =>
      (p.attributes.usagetype ?? "").endsWith(rule.usagetypeEndsWith) &&
      Object.entries(rule.attributes ?? {}).every(([key, value]) => p.attributes[key] === value),
  );
  if (products.length !== 1) return undefined;
  const sku = (products[0] as { sku: string }).sku;
  const dimensions = Object.values(file.terms.OnDemand?.[sku] ?? {}).flatMap((term) =>
    Object.values(term.priceDimensions),
  );
  const paid = dimensions
    .map((d) => ({ usd: Number(d.pricePerUnit.USD ?? "0"), begin: Number(d.beginRange ?? "0"), unit: d.unit }))
    .filter((d) => d.usd > 0)
    .sort((a, b) => a.begin - b.begin)[0];
  return paid && { usd: paid.usd * (rule.perTableUnit ?? 1), unit: paid.unit };
}
