import { api } from '../../api/client';
import { createReconciliationStore } from './reconciliation-store';

/** The Reconciliation page's store, talking to the engine through the one API client. */
export const useReconciliationStore = createReconciliationStore(api);
