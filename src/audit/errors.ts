/** The ledger database could not be reached or opened: configuration or availability, not a bad request. */
export class LedgerUnavailableError extends Error {
  override readonly name: string = 'LedgerUnavailableError';
}

/** The embedded ledger's files are held by another live process. */
export class LedgerBusyError extends LedgerUnavailableError {
  override readonly name = 'LedgerBusyError';
}
