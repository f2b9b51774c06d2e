/** Below this a figure is shown as "under" it: more digits would only be noise. */
const SMALLEST_SHOWN = 0.000001;
/** Built once: `toLocaleString` with options builds a formatter per call (tens of µs; a list shows hundreds). */
const CENTS = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * US dollars for people: `$0` for exactly nothing, cents from a cent up (`$12.34`, `$1,204.50`),
 * and below a cent the first two significant digits (`$0.0003`, `$0.00047`), never a misleading
 * `$0.00`; under a millionth of a dollar, `<$0.000001`.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return "—";
  if (usd < 0) return `-${formatUsd(-usd)}`;
  if (usd === 0) return "$0";
  if (usd >= 0.01) {
    return `$${CENTS.format(usd)}`;
  }
  if (usd < SMALLEST_SHOWN) return `<$${SMALLEST_SHOWN.toFixed(6)}`;
  // Two significant digits, trailing zeros dropped: 0.00030 -> 0.0003.
  const digits = Math.min(6, 1 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(digits).replace(/0+$/, "")}`;
}
