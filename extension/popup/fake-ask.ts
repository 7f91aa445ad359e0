import type { BackgroundRequest } from '@onhand/shared';
import type { Ask } from './ask';

/** For the popup's tests: a background that answers by request type and records every request. */
export function fakeAsk(answers: Partial<Record<BackgroundRequest['type'], (request: never) => unknown>>): { ask: Ask; calls: BackgroundRequest[] } {
  const calls: BackgroundRequest[] = [];
  const ask = (async (request: BackgroundRequest) => {
    calls.push(request);
    const answer = answers[request.type];
    if (!answer) throw new Error(`unexpected ${request.type}`);
    return answer(request as never);
  }) as unknown as Ask;
  return { ask, calls };
}
