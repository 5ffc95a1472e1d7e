/**
 * One phase of `npm run bench:codecs`. The script runs its own phases (built-in decoders, the
 * sandbox) and then every module in bench/phases/ that exports `phase`: the hook for figures that
 * need more than this package (e.g. ChirpStack-path readings confirmed per second against the
 * native v1 path, through a running hub).
 */
export interface BenchPhase {
  name: string;
  /** Figures to print, in order: name -> value (numbers are printed with their unit in the name). */
  run(opts: { durationMs: number }): Promise<Record<string, number | string>>;
}
