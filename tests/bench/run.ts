import { benchLedger } from './ledger.bench';
import { benchOrders } from './orders.bench';
import { benchListings } from './listings.bench';
import { benchOverlay } from './overlay.bench';
import { benchPopup } from './popup.bench';
import { benchImport } from './import.bench';
import { benchExport } from './export.bench';

/**
 * `pnpm bench [name…]`: benchmarks print figures and ratios against a
 * baseline measured in the same run (these machines are shared and noisy, so
 * nothing here is a pass/fail test). BENCH_SECONDS sets each phase's length.
 */
const benches: Record<string, (o: { seconds: number }) => Promise<string[]>> = {
  ledger: benchLedger,
  orders: benchOrders,
  listings: benchListings,
  overlay: benchOverlay,
  popup: benchPopup,
  import: benchImport,
  export: benchExport,
};

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const selected = process.argv.slice(2).filter((a) => a !== '--');
const names = selected.length > 0 ? selected : Object.keys(benches);
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark ${name}; choose from ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
  const lines = await bench({ seconds });
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
