import type { ConnectionSettings } from '../settings/connection-settings';
import { describeFailure, type ServerApi } from './server-api';

export interface AttentionBadgeDeps {
  loadSettings(): Promise<ConnectionSettings>;
  createApi(settings: ConnectionSettings): ServerApi;
  /** Sets the toolbar icon's badge (`chrome.action`). */
  setBadge(badge: { text: string; color: string; title: string }): Promise<void> | void;
  /** Changes arriving within this window cause one recount. */
  debounceMs?: number;
}

const colors = { attention: '#c40000', problem: '#8d9096' } as const;

/**
 * Keeps the toolbar icon's badge at the number of things that need the
 * seller (`search.attention` counts: negatives, untracked listings, failed
 * pushes, drifting listings). Recounted after every change the background's
 * one live subscription brings, debounced; at most one count in flight, and
 * a change during a count causes one more.
 */
export class AttentionBadge {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: AttentionBadgeDeps) {}

  /** Something may have changed: recount soon. */
  refresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.recount();
    }, this.deps.debounceMs ?? 300);
  }

  /** Recounts now (resolves when the badge is set). */
  async recount(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.count().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.recount();
      }
    });
    return this.running;
  }

  private async count(): Promise<void> {
    const settings = await this.deps.loadSettings();
    if (!settings.token) {
      await this.deps.setBadge({ text: '', color: colors.problem, title: 'onhand: not connected' });
      return;
    }
    try {
      const { counts } = await this.deps.createApi(settings).attention();
      const parts = [
        `${counts.negatives} negative`,
        `${counts.untracked} untracked`,
        `${counts.failedPushes} failed push${counts.failedPushes === 1 ? '' : 'es'}`,
        `${counts.drifting} drifting`,
      ];
      await this.deps.setBadge({
        text: counts.total > 0 ? String(Math.min(counts.total, 9999)) : '',
        color: colors.attention,
        title: counts.total > 0 ? `onhand: ${counts.total} need attention (${parts.join(', ')})` : 'onhand: nothing needs attention',
      });
    } catch (error) {
      await this.deps.setBadge({ text: '!', color: colors.problem, title: `onhand: ${describeFailure(error).message}` });
    }
  }
}
