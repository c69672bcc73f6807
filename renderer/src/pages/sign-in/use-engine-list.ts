import { useCallback, useEffect, useState } from 'react';
import type { ChannelName, RequestOf, ResponseOf } from '../../../../shared/contract';
import type { Failure } from '../../../../shared/result';
import { api } from '../../api/client';

/**
 * Loads one channel's answer for a page and reloads it when the ledger
 * changes (another window, an approval), or when the page asks.
 */
export function useEngineQuery<Name extends ChannelName>(name: Name, request: RequestOf<Name>) {
  const [value, setValue] = useState<ResponseOf<Name> | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const key = JSON.stringify(request);
  const reload = useCallback(async () => {
    const result = await api.invoke(name, JSON.parse(key) as RequestOf<Name>);
    setFailure(result.ok ? null : result);
    if (result.ok) setValue(result.value);
  }, [name, key]);
  useEffect(() => {
    void reload();
    return api.on('ledger-changed', () => void reload());
  }, [reload]);
  return { value, failure, reload };
}
