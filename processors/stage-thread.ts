import { parentPort, workerData } from 'node:worker_threads';
import { UserFacingError } from '../cli/command.js';
import { runInThisThread, type FromStageThread, type StageThreadData, type ToStageThread } from './run.js';

/**
 * One stage of `runProcessors(…, { threads: true })` in its worker thread: runs until the main thread says stop,
 * reporting its progress and, at the end, its summary or why it failed for good.
 */
const { config, stage, env } = workerData as StageThreadData;
const port = parentPort!;
const stop = new AbortController();
port.on('message', (message: ToStageThread) => {
  if (message.kind === 'stop') stop.abort();
});
const post = (message: FromStageThread) => port.postMessage(message);
try {
  const summary = await runInThisThread(config, { stages: [stage], signal: stop.signal, env }, (event) => post({ kind: 'progress', event }));
  post({ kind: 'done', summary });
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error), userFacing: error instanceof UserFacingError });
}
