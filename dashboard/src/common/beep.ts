/**
 * Alarm sound with WebAudio (no sound file). Browsers allow sound only after a user gesture:
 * the page tries at once, and `unlockAudio()` runs on the first click or key press anywhere.
 * The page reports the sound on <html>: `data-siren` (off / P2 / P1: what should be sounding)
 * and `data-audio` (the AudioContext's own state: running, suspended), so an operator can see
 * (and a test can check) that it really plays.
 */
let ctx: AudioContext | null = null;
export type SirenLevel = 'off' | 'P2' | 'P1';
let level: SirenLevel = 'off';
let timer: ReturnType<typeof setInterval> | null = null;
let tones = 0;

function report(): void {
  const d = document.documentElement.dataset;
  d.siren = level;
  d.audio = ctx?.state ?? 'none';
  d.tones = String(tones);
}

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  if (!ctx) {
    ctx = new AudioContext();
    ctx.onstatechange = report;
  }
  return ctx;
}

export function unlockAudio(): void {
  const c = audio();
  if (c && c.state === 'suspended') void c.resume().then(report, report);
  report();
}

/** Sound is blocked until someone clicks (the desk shows a button for it then). */
export function audioBlocked(): boolean {
  return ctx !== null && ctx.state !== 'running';
}

export function beep(times = 2, freq = 880, volume = 0.15): void {
  const c = audio();
  if (!c || c.state !== 'running') return;
  const start = c.currentTime;
  for (let i = 0; i < times; i++) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    // Two tones, high-low, like a fire panel.
    osc.frequency.value = i % 2 ? freq * 0.75 : freq;
    gain.gain.setValueAtTime(volume, start + i * 0.35);
    gain.gain.setValueAtTime(0, start + i * 0.35 + 0.3);
    osc.connect(gain).connect(c.destination);
    osc.start(start + i * 0.35);
    osc.stop(start + i * 0.35 + 0.32);
  }
  tones++;
  report();
}

/**
 * The desk's siren: keeps sounding while an alarm waits for acknowledgement (接警); P1 louder and
 * faster than P2. There is no mute: only acknowledging every such alarm turns it off.
 */
export function setSiren(next: SirenLevel): void {
  if (next === level) return report();
  level = next;
  if (timer) clearInterval(timer);
  timer = null;
  if (next !== 'off') {
    unlockAudio();
    const sound = () => (next === 'P1' ? beep(4, 988, 0.5) : beep(2, 880, 0.2));
    sound();
    timer = setInterval(sound, next === 'P1' ? 1600 : 4000);
  }
  report();
}
