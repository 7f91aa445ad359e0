import type { ContentScriptContext } from 'wxt/utils/content-script-context';

export interface ScanScheduler {
  /** The page changed (DOM or URL). */
  changed(): void;
  stop(): void;
}

/**
 * When to re-read a page's rows. A burst of DOM changes is answered at the
 * next frame (the page's render has committed, its layout and paint have
 * not started, so our lookup is in flight while the page draws its rows);
 * later changes of the burst are read once the page has been quiet for
 * `debounceMs`, and a page that never goes quiet every `maxWaitMs`. A tab
 * that draws no frames (hidden) is read when the burst ends.
 */
export function scanScheduler(ctx: ContentScriptContext, scan: () => void, timing: { debounceMs: number; maxWaitMs: number }): ScanScheduler {
  let burstSince: number | undefined;
  let leadingFrame: number | undefined;
  let quietTimer: number | undefined;
  let changedAfterLeading = false;

  const endBurst = () => {
    quietTimer = undefined;
    burstSince = undefined;
    const frameMissed = leadingFrame !== undefined;
    if (leadingFrame !== undefined) cancelAnimationFrame(leadingFrame);
    leadingFrame = undefined;
    const again = frameMissed || changedAfterLeading;
    changedAfterLeading = false;
    if (again) scan();
  };

  return {
    changed() {
      const now = Date.now();
      if (burstSince === undefined) {
        burstSince = now;
        leadingFrame = ctx.requestAnimationFrame(() => {
          leadingFrame = undefined;
          scan();
        });
      } else if (leadingFrame === undefined) {
        changedAfterLeading = true;
      }
      if (quietTimer !== undefined) clearTimeout(quietTimer);
      quietTimer = ctx.setTimeout(endBurst, Math.max(0, Math.min(timing.debounceMs, burstSince + timing.maxWaitMs - now)));
    },
    stop() {
      if (quietTimer !== undefined) clearTimeout(quietTimer);
      if (leadingFrame !== undefined) cancelAnimationFrame(leadingFrame);
      quietTimer = leadingFrame = burstSince = undefined;
    },
  };
}
