// Rerun folders lent and reused across an audit's reruns: a checkout made once, reset between reruns.
import path from 'node:path';
import { createWorkspace, freshWorkspaceCost, removeWorkspace, type WorkspaceSource } from './workspace';

/** Below this, a fresh workspace is cheaper than waiting for a busy one (small repositories: make it at once). */
const WAIT_FROM_MS = 250;

/**
 * Rerun folders lent one at a time and reused: at most as many as reruns run at once, each brought
 * back to the source's state (commit, patch, extra files) before it is lent again.
 *
 * When every slot is busy, a new one costs a whole checkout (seconds for a large repository) while a
 * busy one may be free in a moment (a short rerun) and costs only a reset. Not knowing how long the
 * reruns take, a rerun waits for a slot to come back for as long as the last fresh checkout took, and
 * makes its own only then: short reruns share one checkout, and a long rerun starts at most one
 * checkout's time later than it would have (the rent-or-buy bound: never worse than twice the best).
 */
export class WorkspaceSlots {
  private readonly free: string[] = [];
  private readonly made = new Set<string>();
  /** Adopted folders already at the source's state, until first lent. */
  private readonly ready = new Set<string>();
  /** Reruns waiting for a slot to come back, oldest first. */
  private readonly waiting: ((dir: string) => void)[] = [];
  private lent = 0;
  private count = 0;

  /** `waitFromMs`: the checkout time from which a rerun waits for a busy slot (tests set 0). */
  constructor(
    private readonly source: WorkspaceSource,
    private readonly root: string,
    private readonly options: { waitFromMs?: number } = {},
  ) {}

  /**
   * Takes an existing worktree of the source (the inspection worktree) as a slot, so its checkout is not made
   * twice. `ready`: it was just brought to the source's state and only read since, so its first lending skips
   * the reset (a walk of every file, a second or more in a large repository).
   */
  adopt(dir: string, ready = false): void {
    this.made.add(dir);
    this.free.push(dir);
    if (ready) this.ready.add(dir);
  }

  /** A workspace ready to run in; `release` gives it back for the next rerun. */
  async acquire(): Promise<{ cwd: string; release: () => void }> {
    let dir = this.free.pop();
    if (dir === undefined && this.lent > 0) dir = await this.awaitReturn();
    dir ??= path.join(this.root, `slot-${this.count++}`);
    this.made.add(dir);
    this.lent++;
    try {
      const ready = this.ready.delete(dir);
      const cwd = ready
        ? this.source.subdir
          ? path.join(dir, this.source.subdir)
          : dir
        : await createWorkspace(this.source, dir);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.lent--;
        const next = this.waiting.shift();
        if (next) next(dir);
        else this.free.push(dir);
      };
      return { cwd, release };
    } catch (e) {
      this.lent--;
      this.made.delete(dir);
      await removeWorkspace(this.source, dir).catch(() => undefined);
      throw e;
    }
  }

  /** A slot given back within one fresh checkout's time, or undefined (then the caller makes one). */
  private awaitReturn(): Promise<string | undefined> {
    const wait = freshWorkspaceCost(this.source);
    if (wait === 0 || wait < (this.options.waitFromMs ?? WAIT_FROM_MS)) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const take = (dir: string): void => {
        clearTimeout(timer);
        resolve(dir);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        resolve(undefined);
      }, wait);
      this.waiting.push(take);
    });
  }

  /** Removes every slot (and their worktree registrations). */
  async close(): Promise<void> {
    for (const dir of this.made) await removeWorkspace(this.source, dir).catch(() => undefined);
    this.made.clear();
    this.free.length = 0;
  }
}
