/**
 * Payment ids are chosen by the submitter so that a retry of the same form is
 * recognised by the engine and never pays twice. The date makes ids easy to
 * read in a list; 64 random bits make a collision with another form
 * practically impossible.
 */

const randomHexLength = 16;

export function createPaymentId(now: Date = new Date(), randomUuid: () => string = defaultRandomUuid): string {
  const year = now.getFullYear().toString().padStart(4, '0');
  const month = (now.getMonth() + 1).toString().padStart(2, '0');
  const day = now.getDate().toString().padStart(2, '0');
  const randomHex = randomUuid().replaceAll('-', '').slice(0, randomHexLength).toUpperCase();
  return `PAY-${year}${month}${day}-${randomHex}`;
}

function defaultRandomUuid(): string {
  return crypto.randomUUID();
}
