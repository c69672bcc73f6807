import { reconciliationLimits, type MatchRule } from '../../../shared/reconciliation';
import { compactReference, referenceSimilarity } from './similarity';

/**
 * The matching passes, in order, over one statement and the ledger entries
 * of one account and period:
 *
 * 1. end-to-end id: the line's end-to-end id (or its reference) is a ledger payment id;
 * 2. reference and amount: the same compacted reference and the same amount;
 * 3. amount within a tolerance and date within N days, scored with reference similarity;
 * 4. many to one: the line equals the sum of the remaining payments of one batch or one day.
 *
 * Every pass works from Maps built once (by id, by reference and amount, by
 * day and amount bucket, by group sum), never a loop over both sides. What is
 * ambiguous is never matched: the line keeps a note and its candidates for
 * the operator. Pure: no database, no clock.
 */

export interface MatchableLine {
  day: number;
  amountMinor: number;
  reference: string;
  description: string;
  endToEndId: string | null;
}

export interface MatchableEntry {
  paymentId: string;
  /** Signed as the account sees it: positive credited, negative debited. */
  amountMinor: number;
  day: number;
  reference: string;
  batchId: string | null;
}

export interface MatchingOptions {
  toleranceMinor: number;
  dateWindowDays: number;
}

export interface AutoMatch {
  lineIndex: number;
  entryIndexes: number[];
  rule: MatchRule;
  confidence: number;
  amountDifferenceMinor: number;
}

export interface LineNote {
  note: string;
  candidates: string[];
}

export interface MatchOutcome {
  matches: AutoMatch[];
  notes: Map<number, LineNote>;
}

/** Scores below this in the tolerance pass are not matched, only offered. */
const toleranceConfidenceMin = 0.5;
/** The best candidate must beat the second by this much, or the choice goes to the operator. */
const toleranceMarginMin = 0.15;

class Matching {
  readonly lineUsed: Uint8Array;
  /** Lines found ambiguous by a pass: later passes leave them to the operator. */
  readonly lineAmbiguous: Uint8Array;
  readonly entryUsed: Uint8Array;
  readonly matches: AutoMatch[] = [];
  readonly notes = new Map<number, LineNote>();

  constructor(
    readonly lines: readonly MatchableLine[],
    readonly entries: readonly MatchableEntry[],
    readonly options: MatchingOptions,
  ) {
    this.lineUsed = new Uint8Array(lines.length);
    this.lineAmbiguous = new Uint8Array(lines.length);
    this.entryUsed = new Uint8Array(entries.length);
  }

  take(lineIndex: number, entryIndexes: number[], rule: MatchRule, confidence: number): void {
    let ledgerMinor = 0;
    for (const entryIndex of entryIndexes) {
      if (this.entryUsed[entryIndex] === 1) throw new Error(`entry ${entryIndex} matched twice`);
      this.entryUsed[entryIndex] = 1;
      ledgerMinor += this.entries[entryIndex].amountMinor;
    }
    this.lineUsed[lineIndex] = 1;
    this.notes.delete(lineIndex);
    const amountDifferenceMinor = this.lines[lineIndex].amountMinor - ledgerMinor;
    this.matches.push({ lineIndex, entryIndexes, rule, confidence: Math.round(confidence * 100) / 100, amountDifferenceMinor });
  }

  note(lineIndex: number, note: string, entryIndexes: readonly number[], ambiguous = true): void {
    if (ambiguous) this.lineAmbiguous[lineIndex] = 1;
    const candidates = entryIndexes.slice(0, reconciliationLimits.candidatesNoted).map((index) => this.entries[index].paymentId);
    this.notes.set(lineIndex, { note, candidates });
  }

  unmatchedLines(): number[] {
    const found: number[] = [];
    for (let index = 0; index < this.lines.length; index++) if (this.lineUsed[index] === 0 && this.lineAmbiguous[index] === 0) found.push(index);
    return found;
  }
}

function pushTo<Key>(map: Map<Key, number[]>, key: Key, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function sameSign(left: number, right: number): boolean {
  return (left < 0) === (right < 0);
}

/** Pass 1: a line whose end-to-end id or reference is a ledger payment id. Two lines claiming one payment go to the operator. */
function matchByEndToEndId(matching: Matching): void {
  // The statement's ids are indexed (the smaller side) and the ledger is scanned once.
  const wanted = new Set<string>();
  const unmatched = matching.unmatchedLines();
  for (const lineIndex of unmatched) {
    const line = matching.lines[lineIndex];
    if (line.endToEndId) wanted.add(line.endToEndId);
    if (line.reference.trim() !== '') wanted.add(line.reference.trim());
  }
  const byId = new Map<string, number>();
  matching.entries.forEach((entry, index) => {
    if (wanted.has(entry.paymentId)) byId.set(entry.paymentId, index);
  });
  const claims = new Map<number, number[]>();
  for (const lineIndex of unmatched) {
    const line = matching.lines[lineIndex];
    const keys = [line.endToEndId, line.reference.trim()];
    const entryIndex = keys.map((key) => (key ? byId.get(key) : undefined)).find((found) => found !== undefined);
    if (entryIndex === undefined || !sameSign(line.amountMinor, matching.entries[entryIndex].amountMinor)) continue;
    pushTo(claims, entryIndex, lineIndex);
  }
  for (const [entryIndex, lineIndexes] of claims) {
    if (lineIndexes.length === 1) {
      const line = matching.lines[lineIndexes[0]];
      matching.take(lineIndexes[0], [entryIndex], 'end-to-end-id', line.amountMinor === matching.entries[entryIndex].amountMinor ? 1 : 0.9);
      continue;
    }
    const id = matching.entries[entryIndex].paymentId;
    for (const lineIndex of lineIndexes) {
      matching.note(lineIndex, `${lineIndexes.length} statement lines carry the id ${id}: a duplicate on the statement?`, [entryIndex]);
    }
  }
}

/** Pass 2: same compacted reference and same amount; equal numbers of lines and entries pair up by date, otherwise the operator chooses. */
function matchByReferenceAndAmount(matching: Matching): void {
  const linesByKey = new Map<string, number[]>();
  const amounts = new Set<number>();
  for (const lineIndex of matching.unmatchedLines()) {
    const line = matching.lines[lineIndex];
    const reference = compactReference(line.reference);
    if (reference === '') continue;
    pushTo(linesByKey, `${reference}|${line.amountMinor}`, lineIndex);
    amounts.add(line.amountMinor);
  }
  // Only entries with an amount some line has can pair: the rest are never keyed.
  const entriesByKey = new Map<string, number[]>();
  matching.entries.forEach((entry, index) => {
    if (matching.entryUsed[index] === 1 || !amounts.has(entry.amountMinor)) return;
    const key = `${compactReference(entry.reference)}|${entry.amountMinor}`;
    if (linesByKey.has(key)) pushTo(entriesByKey, key, index);
  });
  for (const [key, lineIndexes] of linesByKey) {
    const entryIndexes = entriesByKey.get(key);
    if (entryIndexes === undefined) continue;
    if (lineIndexes.length === 1 && entryIndexes.length === 1) {
      matching.take(lineIndexes[0], entryIndexes, 'reference-amount', 0.95);
    } else if (!pairByDate(matching, lineIndexes, entryIndexes)) {
      for (const lineIndex of lineIndexes) {
        matching.note(lineIndex, `${entryIndexes.length} ledger payments have this reference and amount; choose one.`, entryIndexes);
      }
    }
  }
}

/** Pairs equal numbers of lines and entries in date order when every pair is within the date window. */
function pairByDate(matching: Matching, lineIndexes: number[], entryIndexes: number[]): boolean {
  if (lineIndexes.length !== entryIndexes.length) return false;
  const byLineDay = [...lineIndexes].sort((left, right) => matching.lines[left].day - matching.lines[right].day || left - right);
  const byEntryDay = [...entryIndexes].sort((left, right) => matching.entries[left].day - matching.entries[right].day || left - right);
  const days = (index: number) => Math.abs(matching.lines[byLineDay[index]].day - matching.entries[byEntryDay[index]].day);
  const dayDistinct = (list: number[], dayOf: (index: number) => number) => new Set(list.map(dayOf)).size === list.length;
  if (!dayDistinct(byLineDay, (index) => matching.lines[index].day)) return false;
  if (!dayDistinct(byEntryDay, (index) => matching.entries[index].day)) return false;
  for (let index = 0; index < byLineDay.length; index++) if (days(index) > matching.options.dateWindowDays) return false;
  byLineDay.forEach((lineIndex, index) => matching.take(lineIndex, [byEntryDay[index]], 'reference-amount', 0.85));
  return true;
}

export function matchStatement(lines: readonly MatchableLine[], entries: readonly MatchableEntry[], options: MatchingOptions): MatchOutcome {
  const matching = new Matching(lines, entries, options);
  matchByEndToEndId(matching);
  matchByReferenceAndAmount(matching);
  matchByToleranceAndDate(matching);
  matchManyToOne(matching);
  return { matches: matching.matches, notes: matching.notes };
}

interface Proposal {
  lineIndex: number;
  entryIndex: number;
  confidence: number;
}

/** Pass 3: amount within the tolerance, date within the window, scored; the best proposals are taken first. */
function matchByToleranceAndDate(matching: Matching): void {
  const bucketWidth = matching.options.toleranceMinor + 1;
  const wanted = wantedBuckets(matching, bucketWidth);
  const index = new Map<number, Map<number, number[]>>();
  matching.entries.forEach((entry, entryIndex) => {
    if (matching.entryUsed[entryIndex] === 1) return;
    if (wanted.get(entry.day)?.has(Math.floor(entry.amountMinor / bucketWidth)) !== true) return;
    let byBucket = index.get(entry.day);
    if (byBucket === undefined) index.set(entry.day, (byBucket = new Map()));
    pushTo(byBucket, Math.floor(entry.amountMinor / bucketWidth), entryIndex);
  });
  const proposals: Proposal[] = [];
  for (const lineIndex of matching.unmatchedLines()) {
    const line = matching.lines[lineIndex];
    const candidates = toleranceCandidates(matching, index, line, bucketWidth);
    if (candidates === null) {
      matching.note(lineIndex, `More than ${reconciliationLimits.tolerancePassCandidates} ledger payments are close in amount and date.`, []);
      continue;
    }
    const proposal = chooseCandidate(matching, lineIndex, candidates);
    if (proposal !== null) proposals.push(proposal);
  }
  settleProposals(matching, proposals);
}

/**
 * Several lines may want the same entry: the clearly best line gets it, the
 * others keep it as a candidate; lines about as good as each other all go to the operator.
 */
function settleProposals(matching: Matching, proposals: Proposal[]): void {
  const byEntry = new Map<number, Proposal[]>();
  for (const proposal of proposals) {
    const list = byEntry.get(proposal.entryIndex);
    if (list === undefined) byEntry.set(proposal.entryIndex, [proposal]);
    else list.push(proposal);
  }
  for (const [entryIndex, list] of byEntry) {
    list.sort((left, right) => right.confidence - left.confidence || left.lineIndex - right.lineIndex);
    const [best, second] = list;
    if (second !== undefined && best.confidence - second.confidence < toleranceMarginMin) {
      const note = `${list.length} statement lines fit the same ledger payment; choose by hand.`;
      for (const proposal of list) matching.note(proposal.lineIndex, note, [entryIndex]);
      continue;
    }
    matching.take(best.lineIndex, [entryIndex], 'amount-date', best.confidence);
    for (const other of list.slice(1)) matching.note(other.lineIndex, 'Its closest ledger payment went to a line that fits it better.', [entryIndex], false);
  }
}

/** The (day, amount bucket) cells some unmatched line will look in: only entries in them are indexed. */
function wantedBuckets(matching: Matching, bucketWidth: number): Map<number, Set<number>> {
  const wanted = new Map<number, Set<number>>();
  const { dateWindowDays } = matching.options;
  for (const lineIndex of matching.unmatchedLines()) {
    const line = matching.lines[lineIndex];
    const bucket = Math.floor(line.amountMinor / bucketWidth);
    for (let day = line.day - dateWindowDays; day <= line.day + dateWindowDays; day++) {
      let buckets = wanted.get(day);
      if (buckets === undefined) wanted.set(day, (buckets = new Set()));
      buckets.add(bucket - 1).add(bucket).add(bucket + 1);
    }
  }
  return wanted;
}

/** Entries within the tolerance and window, or null when there are more than the pass looks at. */
function toleranceCandidates(matching: Matching, index: Map<number, Map<number, number[]>>, line: MatchableLine, bucketWidth: number): number[] | null {
  const { toleranceMinor, dateWindowDays } = matching.options;
  const bucket = Math.floor(line.amountMinor / bucketWidth);
  const found: number[] = [];
  for (let day = line.day - dateWindowDays; day <= line.day + dateWindowDays; day++) {
    const byBucket = index.get(day);
    if (byBucket === undefined) continue;
    for (let near = bucket - 1; near <= bucket + 1; near++) {
      for (const entryIndex of byBucket.get(near) ?? []) {
        const entry = matching.entries[entryIndex];
        if (matching.entryUsed[entryIndex] === 1 || !sameSign(entry.amountMinor, line.amountMinor)) continue;
        if (Math.abs(entry.amountMinor - line.amountMinor) > toleranceMinor) continue;
        found.push(entryIndex);
        if (found.length > reconciliationLimits.tolerancePassCandidates) return null;
      }
    }
  }
  return found;
}

function chooseCandidate(matching: Matching, lineIndex: number, candidates: number[]): Proposal | null {
  if (candidates.length === 0) return null;
  const line = matching.lines[lineIndex];
  const { toleranceMinor, dateWindowDays } = matching.options;
  const scored = candidates.map((entryIndex) => {
    const entry = matching.entries[entryIndex];
    const similarity = Math.max(referenceSimilarity(line.reference, entry.reference), referenceSimilarity(line.description, entry.reference));
    const dateScore = 1 - Math.abs(entry.day - line.day) / (dateWindowDays + 1);
    const amountScore = 1 - Math.abs(entry.amountMinor - line.amountMinor) / (toleranceMinor + 1);
    return { entryIndex, confidence: 0.5 * similarity + 0.3 * dateScore + 0.2 * amountScore };
  });
  scored.sort((left, right) => right.confidence - left.confidence || left.entryIndex - right.entryIndex);
  const [best, second] = scored;
  const ordered = scored.map((candidate) => candidate.entryIndex);
  if (best.confidence < toleranceConfidenceMin) {
    matching.note(lineIndex, 'Ledger payments are close in amount and date, but not close enough to match on their own.', ordered, false);
    return null;
  }
  if (second !== undefined && best.confidence - second.confidence < toleranceMarginMin) {
    matching.note(lineIndex, `${scored.length} ledger payments fit this line about equally well; choose one.`, ordered);
    return null;
  }
  return { lineIndex, entryIndex: best.entryIndex, confidence: best.confidence };
}

interface Group {
  label: string;
  entryIndexes: number[];
  sumMinor: number;
  lastDay: number;
  confidence: number;
}

interface Total {
  sumMinor: number;
  count: number;
  lastDay: number;
  firstIndex: number;
}

function addTo<Key>(totals: Map<Key, Total>, key: Key, entry: MatchableEntry, entryIndex: number): void {
  const total = totals.get(key);
  if (total === undefined) totals.set(key, { sumMinor: entry.amountMinor, count: 1, lastDay: entry.day, firstIndex: entryIndex });
  else {
    total.sumMinor += entry.amountMinor;
    total.count++;
    total.lastDay = Math.max(total.lastDay, entry.day);
  }
}

/**
 * Groups of the remaining entries whose sum some line has: a batch (net of
 * both directions) or a day (one direction). Sums are taken first without
 * keeping members; members are gathered only for the groups a line could match.
 */
function buildGroups(matching: Matching): Map<number, Group[]> {
  const byBatch = new Map<string, Total>();
  const byDay = new Map<number, Total>();
  const dayKey = (entry: MatchableEntry) => entry.day * 2 + (entry.amountMinor < 0 ? 1 : 0);
  matching.entries.forEach((entry, entryIndex) => {
    if (matching.entryUsed[entryIndex] === 1) return;
    if (entry.batchId !== null) addTo(byBatch, entry.batchId, entry, entryIndex);
    addTo(byDay, dayKey(entry), entry, entryIndex);
  });
  const amounts = new Set(matching.unmatchedLines().map((lineIndex) => matching.lines[lineIndex].amountMinor));
  const wanted = <Key>(totals: Map<Key, Total>) =>
    new Set([...totals].filter(([, total]) => total.count >= 2 && amounts.has(total.sumMinor)).map(([key]) => key));
  const batches = wanted(byBatch);
  const days = wanted(byDay);
  const batchMembers = new Map<string, number[]>();
  const dayMembers = new Map<number, number[]>();
  matching.entries.forEach((entry, entryIndex) => {
    if (matching.entryUsed[entryIndex] === 1) return;
    if (entry.batchId !== null && batches.has(entry.batchId)) pushTo(batchMembers, entry.batchId, entryIndex);
    if (days.has(dayKey(entry))) pushTo(dayMembers, dayKey(entry), entryIndex);
  });
  const bySum = new Map<number, Group[]>();
  const add = (label: string, entryIndexes: number[], total: Total, confidence: number) => {
    const groups = bySum.get(total.sumMinor) ?? [];
    // A batch paid in one day is also that day's group: keep it once.
    if (groups.some((group) => group.entryIndexes.length === entryIndexes.length && group.entryIndexes[0] === entryIndexes[0])) return;
    groups.push({ label, entryIndexes, sumMinor: total.sumMinor, lastDay: total.lastDay, confidence });
    bySum.set(total.sumMinor, groups);
  };
  for (const [batchId, members] of batchMembers) add(`batch ${batchId}`, members, byBatch.get(batchId)!, 0.9);
  for (const [key, members] of dayMembers) add(`day of ${matching.entries[members[0]].day}`, members, byDay.get(key)!, 0.8);
  return bySum;
}

/** Pass 4: one statement line equals the sum of the remaining payments of one batch or one day (a settlement line). */
function matchManyToOne(matching: Matching): void {
  const bySum = buildGroups(matching);
  for (const lineIndex of matching.unmatchedLines()) {
    const line = matching.lines[lineIndex];
    const groups = (bySum.get(line.amountMinor) ?? []).filter(
      (group) =>
        line.day - group.lastDay >= 0 &&
        line.day - group.lastDay <= matching.options.dateWindowDays &&
        group.entryIndexes.every((entryIndex) => matching.entryUsed[entryIndex] === 0),
    );
    if (groups.length === 1) matching.take(lineIndex, groups[0].entryIndexes, 'many-to-one', groups[0].confidence);
    else if (groups.length > 1) {
      const labels = groups.map((group) => group.label).join(', ');
      const candidates = groups.flatMap((group) => group.entryIndexes);
      matching.note(lineIndex, `Its amount is the sum of several groups of payments (${labels}); match by hand.`, candidates);
    }
  }
}
