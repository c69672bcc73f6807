import type { ChannelName, RequestOf, ResponseOf } from '../../shared/contract';
import type { Result } from '../../shared/result';

/** engine.invoke, or a signed-in caller's call: whichever way a test reaches the engine. */
export type Invoke = <Name extends ChannelName>(name: Name, request: RequestOf<Name>) => Promise<Result<ResponseOf<Name>>>;

/** Uploads `text` as one piece, inspects it and validates it with the suggested mapping, as the UI does; fails the test on a refusal. */
export async function uploadAndValidate(invoke: Invoke, fileName: string, text: string): Promise<ResponseOf<'batch-validate'>> {
  const upload = await invoke('batch-upload', { fileId: null, fileName, offset: 0, text });
  if (!upload.ok) throw new Error(upload.message);
  const preview = await invoke('batch-inspect', { fileId: upload.value.fileId });
  if (!preview.ok) throw new Error(preview.message);
  const validation = await invoke('batch-validate', { fileId: upload.value.fileId, mapping: preview.value.suggestedMapping });
  if (!validation.ok) throw new Error(validation.message);
  return validation.value;
}
