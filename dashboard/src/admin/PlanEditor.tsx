import { useRef, useState } from 'react';
import type { SiteEstate } from './api.ts';
import { useAdminT } from './i18n.ts';

const DEFAULT = { w: 30, h: 14 };
const SHAPE_COLOR: Record<string, string> = { smoke: '#d4380d', bin: '#389e0d', manhole: '#1d39c4', ebike: '#722ed1' };

/**
 * The estate plan editor: buildings and the devices that stand in the grounds (bins, manholes) at
 * their positions in metres, dragged into place; `onMove` gets the new position when dropped.
 * Indoor devices (smoke, e-bike cameras) are drawn inside their building. Silenced places are hatched.
 */
export function PlanEditor({ estate, silenced, onMove, width = 640 }: { estate: SiteEstate; silenced: ReadonlySet<string>; onMove(id: string, pos: { x: number; y: number }): void; width?: number }) {
  const t = useAdminT();
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ id: string; dx: number; dy: number; x: number; y: number } | null>(null);
  const scale = width / estate.plan.width_m;
  const height = estate.plan.height_m * scale;
  const toMetres = (e: React.PointerEvent) => {
    const r = svg.current!.getBoundingClientRect();
    return { x: (e.clientX - r.left) / scale, y: (e.clientY - r.top) / scale };
  };
  const start = (id: string, x: number, y: number) => (e: React.PointerEvent) => {
    const m = toMetres(e);
    (e.target as Element).setPointerCapture?.(e.pointerId);
    setDrag({ id, dx: m.x - x, dy: m.y - y, x, y });
  };
  const clamp = (v: number, max: number) => Math.round(Math.max(0, Math.min(max, v)) * 10) / 10;
  const pos = (id: string, x: number, y: number) => (drag?.id === id ? { x: drag.x, y: drag.y } : { x, y });
  return (
    <svg
      ref={svg}
      data-testid="plan-editor"
      width={width}
      height={height}
      style={{ background: '#f6ffed', border: '1px solid #d9d9d9', touchAction: 'none', userSelect: 'none' }}
      onPointerMove={(e) => {
        if (!drag) return;
        const m = toMetres(e);
        setDrag({ ...drag, x: clamp(m.x - drag.dx, estate.plan.width_m), y: clamp(m.y - drag.dy, estate.plan.height_m) });
      }}
      onPointerUp={() => {
        if (!drag) return;
        onMove(drag.id, { x: drag.x, y: drag.y });
        setDrag(null);
      }}
    >
      <defs>
        <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <line x1="0" y1="0" x2="0" y2="6" stroke="#faad14" strokeWidth="3" />
        </pattern>
      </defs>
      {estate.buildings.map((b) => {
        const p = pos(b.id, b.position.x, b.position.y);
        const w = (b.size?.w ?? DEFAULT.w) * scale;
        const h = (b.size?.h ?? DEFAULT.h) * scale;
        const indoor = estate.devices.filter((d) => d.building === b.id && !d.position);
        return (
          <g key={b.id} data-testid={`plan-building-${b.id}`} transform={`translate(${p.x * scale},${p.y * scale})`} onPointerDown={start(b.id, b.position.x, b.position.y)} style={{ cursor: 'move' }}>
            <rect width={w} height={h} fill={silenced.has(b.id) ? 'url(#hatch)' : '#e6f4ff'} stroke="#1677ff" />
            <text x={4} y={14} fontSize={12}>{b.name}{silenced.has(b.id) ? ` · ${t('silencedOnPlan')}` : ''}</text>
            {indoor.slice(0, 24).map((d, i) => (
              <circle key={d.id} cx={8 + (i % 12) * ((w - 12) / 12)} cy={h - 8 - Math.floor(i / 12) * 10} r={3} fill={SHAPE_COLOR[d.kind] ?? '#000'} stroke={silenced.has(d.id) ? '#faad14' : 'none'} strokeWidth={2}>
                <title>{d.id}</title>
              </circle>
            ))}
          </g>
        );
      })}
      {estate.devices
        .filter((d) => d.position)
        .map((d) => {
          const p = pos(d.id, d.position!.x, d.position!.y);
          return (
            <g key={d.id} data-testid={`plan-device-${d.id}`} transform={`translate(${p.x * scale},${p.y * scale})`} onPointerDown={start(d.id, d.position!.x, d.position!.y)} style={{ cursor: 'move' }}>
              <rect x={-6} y={-6} width={12} height={12} fill={SHAPE_COLOR[d.kind] ?? '#000'} transform={d.kind === 'manhole' ? 'rotate(45)' : undefined} stroke={silenced.has(d.id) ? '#faad14' : '#fff'} strokeWidth={2} />
              <text x={8} y={4} fontSize={10}>{d.id}</text>
            </g>
          );
        })}
    </svg>
  );
}
