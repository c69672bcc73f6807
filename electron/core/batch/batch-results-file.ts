import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvLine, resultsHeader } from '../../../shared/batch';
import type { BatchService } from './batch-service';

/** Every payment of the batch in file order, as CSV with cells a spreadsheet will not run. */
export async function writeResults(service: BatchService, batchId: string, outputPath: string): Promise<void> {
  const output = createWriteStream(outputPath);
  const write = async (text: string) => {
    if (!output.write(text)) await once(output, 'drain');
  };
  await write(csvLine(resultsHeader));
  let cursor: string | null = null;
  do {
    const page = service.results({ batchId, limit: 500, cursor });
    if (!page.ok) throw new Error(`${page.code}: ${page.message}`);
    let text = '';
    for (const item of page.value.items) {
      const { line, paymentId, debtor, creditor, amountMinor, currency, reference, status, code, message } = item;
      text += csvLine([line, paymentId, debtor, creditor, amountMinor, currency, reference, status, code, message]);
    }
    await write(text);
    cursor = page.value.nextCursor;
  } while (cursor !== null);
  output.end();
  await once(output, 'close');
}
