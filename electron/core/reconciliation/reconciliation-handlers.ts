import type { Handlers } from '../../../shared/contract';
import { success } from '../../../shared/result';
import type { EngineApi } from '../engine-api';
import { ReconciliationService } from './reconciliation-service';

const services = new WeakMap<EngineApi, ReconciliationService>();

/** The one reconciliation service of an engine (the CLI and tests reach it here). */
export function reconciliationService(engine: EngineApi): ReconciliationService {
  let service = services.get(engine);
  if (service === undefined) {
    service = new ReconciliationService(engine);
    services.set(engine, service);
  }
  return service;
}

export function createReconciliationHandlers(engine: EngineApi) {
  const service = reconciliationService(engine);
  return {
    'reconciliation-upload': async (request) => service.upload(request),
    'reconciliation-inspect': async (request) => service.inspect(request),
    'reconciliation-run': (request) => service.run(request),
    'reconciliation-get': async (request) => service.report(request.runId),
    'reconciliation-list': async (request) => success(service.list(request.account)),
    'reconciliation-match': (request) => service.match(request),
    'reconciliation-unmatch': (request) => service.unmatch(request),
    'reconciliation-finish': (request) => service.setStatus(request.runId, 'finished'),
    'reconciliation-reopen': (request) => service.setStatus(request.runId, 'open'),
    'reconciliation-export': async (request) => service.exportReport(request.runId),
  } satisfies Partial<Handlers>;
}
