/**
 * An alarm tone with WebAudio (no sound file): two short beeps. Browsers allow sound only after
 * a user gesture; `unlockAudio()` is called from the first click on the page.
 */
let ctx: AudioContext | null = null;

export function unlockAudio(): void {
  if (typeof AudioContext === 'undefined') return;
  ctx ??= new AudioContext();
  if (ctx.state === 'suspended') void ctx.resume();
}

export function beep(times = 2, freq = 880): void {
  if (!ctx || ctx.state !== 'running') return;
  const start = ctx.currentTime;
  for (let i = 0; i < times; i++) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.15, start + i * 0.35);
    gain.gain.setValueAtTime(0, start + i * 0.35 + 0.2);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + i * 0.35);
    osc.stop(start + i * 0.35 + 0.22);
  }
}
