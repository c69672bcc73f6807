import type { Handlers } from '../../../shared/contract';
import { success } from '../../../shared/result';
import type { EngineApi } from '../engine-api';
import { BatchService } from './batch-service';

const services = new WeakMap<EngineApi, BatchService>();

/** The one batch service of an engine (the CLI and tests reach it here). */
export function batchService(engine: EngineApi): BatchService {
  let service = services.get(engine);
  if (service === undefined) {
    service = new BatchService(engine);
    services.set(engine, service);
  }
  return service;
}

export function createBatchHandlers(engine: EngineApi) {
  const service = batchService(engine);
  return {
    'batch-upload': (request) => service.upload(request),
    'batch-inspect': (request) => service.inspect(request),
    'batch-validate': (request) => service.validate(request),
    'batch-start': (request) => service.start(request.batchId),
    'batch-pause': (request) => service.pause(request.batchId),
    'batch-resume': (request) => service.resume(request.batchId),
    'batch-cancel': (request) => service.cancel(request.batchId),
    'batch-abandon': (request, caller) => service.abandon(request.batchId, request.reason, caller),
    'batch-get': async (request) => {
      await service.refreshRunsElsewhere();
      return service.get(request.batchId);
    },
    'batch-list': async () => {
      await service.removeUnusedCopiesOnce();
      await service.refreshRunsElsewhere();
      return success(service.list());
    },
    'batch-results': async (request) => service.results(request),
    'batch-preset-list': async () => success(service.presets()),
    'batch-preset-save': (request) => service.savePreset(request),
    'batch-approval-list': async (request) => success(service.approvals.list(request.status)),
    'batch-approval-detail': (request) => service.approvalDetail(request.batchId, request.afterLine),
    'batch-approval-approve': (request, caller) => service.approve(request.batchId, caller, request.note),
    'batch-approval-reject': (request, caller) => service.reject(request.batchId, caller, request.note),
  } satisfies Partial<Handlers>;
}
