/**
 * Runs `fn` one at a time: a kick while it runs makes it run once more right after (never two
 * at once, never a kick lost). `after` runs when a run ends with no kick pending.
 */
export class Coalesced {
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;

  constructor(
    private readonly fn: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly after: () => void = () => {},
  ) {}

  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.fn()
      .catch(this.onError)
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.kick();
        } else if (!this.#closed) this.after();
      });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
