/**
 * Splits a file's text into upload chunks of at most `maxChars` characters,
 * never between the two halves of a surrogate pair, so each chunk is valid
 * UTF-16 and encodes to the same bytes as the whole would.
 */
export function splitForUpload(text: string, maxChars: number): string[] {
  if (text.length === 0) return [''];
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + maxChars, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Offers text as a file download (the validation report, the results). */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
