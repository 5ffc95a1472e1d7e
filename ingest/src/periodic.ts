/**
 * Runs `task` every `intervalMs` (never two at once; the timer does not keep the process alive).
 * `stop()` waits for a run in flight, then runs the task one last time.
 */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs the task now unless it is already running (then waits for that run). */
  runOnce(): Promise<void> {
    if (!this.running) {
      this.running = this.task().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.runOnce();
  }
}
