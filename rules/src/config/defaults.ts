/**
 * The hub's starting rules per device kind (issue 4). Real vendors differ: every value here can be
 * overridden per estate, building or device in the rule-set YAML.
 */
// Liveness rules name no thresholds: they take core's DEFAULT_LIVENESS, the one definition the
// screens share (a rule set may still set late_after / offline_after).
export const DEFAULT_RULES_YAML = `
version: 1
rules:
  # ---- smoke alarms (烟感): event driven, report about daily
  - { id: smoke.alarm, device_kind: smoke, kind: event, title: 火警报警 Smoke alarm, priority: P1, events: [alarm], clear_events: [alarm_cleared] }
  - { id: smoke.tamper, device_kind: smoke, kind: event, title: 防拆 Removed from base, priority: P2, events: [tamper], clear_events: [tamper_cleared] }
  - { id: smoke.fault, device_kind: smoke, kind: event, title: 故障 Fault, priority: P3, events: [fault, end_of_life], clear_events: [fault_cleared] }
  - { id: smoke.offline, device_kind: smoke, kind: liveness, title: 离线 Smoke alarm offline, priority: P3 }
  - { id: smoke.battery, device_kind: smoke, kind: battery, title: 低电量 Low battery, priority: P3, below: 20, clear: 30 }
  # ---- bins (垃圾满溢)
  - { id: bin.collect_soon, device_kind: bin, kind: threshold, title: 即将满溢 Collect soon, priority: P3, field: fill_pct, above: 80, clear: 70, for: 10m }
  - { id: bin.full, device_kind: bin, kind: threshold, title: 满溢 Bin full, priority: P2, field: fill_pct, above: 95, clear: 85 }
  - { id: bin.tilted, device_kind: bin, kind: event, title: 倾倒 Bin knocked over, priority: P2, events: [tilted], clear_events: [upright] }
  - { id: bin.fire, device_kind: bin, kind: threshold, title: 垃圾桶起火 Bin fire, priority: P1, field: temperature_c, above: 60, clear: 50 }
  - { id: bin.offline, device_kind: bin, kind: liveness, title: 离线 Bin sensor offline, priority: P3 }
  - { id: bin.battery, device_kind: bin, kind: battery, title: 低电量 Low battery, priority: P3, below: 20, clear: 30 }
  # ---- manhole covers (智能井盖): a passing truck tilts a cover for less than 2 s
  - { id: manhole.open, device_kind: manhole, kind: event, title: 井盖打开 Cover open, priority: P1, events: [opened], clear_events: [closed] }
  - { id: manhole.tilt, device_kind: manhole, kind: threshold, title: 井盖倾斜 Cover tilted, priority: P1, field: tilt_deg, above: 10, clear: 5, for: 2s }
  - { id: manhole.water, device_kind: manhole, kind: event, title: 水位高 Water high, priority: P2, events: [water_high], clear_events: [water_normal] }
  - { id: manhole.offline, device_kind: manhole, kind: liveness, title: 离线 Manhole sensor offline, priority: P3 }
  - { id: manhole.battery, device_kind: manhole, kind: battery, title: 低电量 Low battery, priority: P3, below: 20, clear: 30 }
  # ---- e-bike-in-elevator cameras (电动车进电梯预警): connected, with a last will
  - { id: ebike.detected, device_kind: ebike, kind: event, title: 电动车进电梯 E-bike in elevator, priority: P2, events: [ebike_detected], clear_events: [ebike_left], where: { field: confidence, min: 0.8 } }
  - { id: ebike.repeat, device_kind: ebike, kind: count, title: 重复违规回访 Repeat offences - follow-up visit, priority: P2, events: [ebike_detected], where: { field: confidence, min: 0.8 }, count: 3, window: 7d, per: unit }
  - { id: ebike.camera_fault, device_kind: ebike, kind: threshold, title: 摄像头故障 Camera fault, priority: P3, field: camera_ok, is: false, for: 5m }
  - { id: ebike.offline, device_kind: ebike, kind: liveness, title: 离线 Camera offline, priority: P3 }
`;
