/**
 * Raised when the files on disk cannot prove that a ledger holds everything it
 * acknowledged: it is refused, nothing on disk is changed, and the message says
 * which file, where, what was expected and what to do.
 */
export class LedgerOpenError extends Error {}

/** The advice every refusal for damage ends with. */
export const restoreAdvice =
  'Nothing was changed. Restore the newest backup (paydesk restore, or the Backups page), or keep these files for inspection.';
