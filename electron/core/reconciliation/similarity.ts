/**
 * How alike two payment references are, 0..1. Banks shorten, reorder and pad
 * references ("INV-101" becomes "Invoice 101 ACME"), so the measure is the
 * Dice coefficient over letter pairs of the compacted text, lifted when one
 * text contains the other, and moved by the numbers in them: references
 * mostly differ by an invoice number, so a shared number of three or more
 * digits counts for much, and numbers that all differ count against.
 */

const numberLengthMin = 3;

export function compactReference(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function numbersIn(text: string): string[] {
  const found = text.match(/\d+/g) ?? [];
  return found.map((digits) => digits.replace(/^0+(?=\d)/, '')).filter((digits) => digits.length >= numberLengthMin);
}

function pairs(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index < text.length - 1; index++) {
    const pair = text.slice(index, index + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

function dice(left: string, right: string): number {
  if (left.length < 2 || right.length < 2) return left === right && left !== '' ? 1 : 0;
  const leftPairs = pairs(left);
  let shared = 0;
  for (let index = 0; index < right.length - 1; index++) {
    const pair = right.slice(index, index + 2);
    const count = leftPairs.get(pair) ?? 0;
    if (count > 0) {
      shared++;
      leftPairs.set(pair, count - 1);
    }
  }
  return (2 * shared) / (left.length - 1 + right.length - 1);
}

export function referenceSimilarity(left: string, right: string): number {
  const leftCompact = compactReference(left);
  const rightCompact = compactReference(right);
  if (leftCompact === '' || rightCompact === '') return 0;
  if (leftCompact === rightCompact) return 1;
  let score = dice(leftCompact, rightCompact);
  const shorter = leftCompact.length <= rightCompact.length ? leftCompact : rightCompact;
  const longer = shorter === leftCompact ? rightCompact : leftCompact;
  if (shorter.length >= 4 && longer.includes(shorter)) score = Math.max(score, 0.9);
  const leftNumbers = numbersIn(left);
  const rightNumbers = new Set(numbersIn(right));
  if (leftNumbers.length > 0 && rightNumbers.size > 0) {
    const shared = leftNumbers.some((digits) => rightNumbers.has(digits));
    score = shared ? Math.max(score, 0.8) : score * 0.5;
  }
  return Math.min(1, score);
}
