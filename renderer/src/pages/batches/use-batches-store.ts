import { api } from '../../api/client';
import { createBatchesStore } from './batches-store';

/** The Batches page's store, talking to the engine through the one API client. */
export const useBatchesStore = createBatchesStore(api);
