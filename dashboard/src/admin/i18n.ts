import { useI18n } from '../i18n.ts';

/** The admin screens' strings (zh-CN default, English beside), kept apart from the shared dictionary. */
const zh = {
  admin: '系统管理',
  site: '场地', devices: '设备', people: '人员', duty: '值班', silences: '屏蔽', rules: '规则', audit: '审计日志', reports: '报表',
  tree: '场地结构', street: '街道', community: '社区', grid: '网格', estate: '小区', building: '楼栋', unit: '单元', device: '设备', warden: '网格员',
  add: '新增', addChild: '新增下级', rename: '改名', retire: '撤销', restore: '恢复', retiredTag: '已撤销', move: '移至', save: '保存', cancel: '取消', apply: '应用', preview: '预览', close: '关闭',
  id: '编号', name: '名称', kind: '类型', floors: '层数', width: '宽 (米)', height: '高 (米)', x: 'X (米)', y: 'Y (米)', floor: '楼层', elevator: '电梯',
  plan: '小区平面图（拖动楼栋、垃圾桶、井盖）', planSaved: '位置已保存', selectNode: '请在左侧选择一个节点',
  exportYaml: '导出 YAML', exportXlsx: '导出 Excel', importFile: '导入 YAML / Excel', importPreview: '导入预览：将发生以下变更', noChanges: '没有变更',
  added: '新增', removed: '删除', changed: '修改', problems: '问题', row: '行', reason: '原因',
  secret: '设备密钥', provision: '生成密钥', rotate: '轮换密钥', revoke: '吊销密钥', secretOnce: '密钥只显示这一次，请立即交给安装人员（扫码）', revoked: '已吊销，连接已断开',
  unclaimed: '未认领设备', claim: '认领', bulkAdd: '批量导入设备 (CSV / Excel)', connected: '在线', disconnected: '离线', refusals: '拒收', signal: '信号', battery: '电量',
  users: '用户', role: '角色', phone: '电话', disable: '停用', enable: '启用', resetPassword: '重置密码', password: '密码', gridsServed: '所属网格', addWarden: '新增网格员（同时创建登录账号）', addUser: '新增用户', disabled: '已停用',
  week: '本周值班', onDutyNow: '当前值班', addShift: '排班', from: '开始', to: '结束', swap: '换班', removeShift: '删除',
  activeSilences: '生效中的屏蔽', newSilence: '新建屏蔽 / 维护窗口', endEarly: '提前结束', scope: '范围', silencedOnPlan: '已屏蔽',
  ruleEditor: '规则集（YAML）', valid: '校验通过', dryRun: '试运行（回放近 7 天数据）', wouldFire: '将触发 {n} 次', versions: '历史版本', revert: '回滚', savedBy: '保存人', savedAt: '时间', readingsReplayed: '回放读数 {n} 条',
  search: '搜索', exportCsv: '导出 CSV', time: '时间', user: '用户', address: '来源地址', action: '操作', target: '对象', status: '结果',
  kpis: '考核指标', by: '分组', period: '周期', exportExcel: '导出 Excel', print: '打印月报', monthly: '月度报告', closureRate: '办结率', onTimeRate: '按时率', total: '工单数', closed: '已办结', open: '未办结', overdue: '超时',
  toAccept: '平均接单时长', toArrive: '平均到场时长', toClose: '平均办结时长', minutes: '分钟', ok: '成功', state: '状态',
};
type Keys = keyof typeof zh;
const en: Record<Keys, string> = {
  admin: 'Administration',
  site: 'Site', devices: 'Devices', people: 'People', duty: 'Duty', silences: 'Silences', rules: 'Rules', audit: 'Audit log', reports: 'Reports',
  tree: 'Site tree', street: 'Street', community: 'Community', grid: 'Grid', estate: 'Estate', building: 'Building', unit: 'Unit', device: 'Device', warden: 'Warden',
  add: 'Add', addChild: 'Add below', rename: 'Rename', retire: 'Retire', restore: 'Restore', retiredTag: 'Retired', move: 'Move to', save: 'Save', cancel: 'Cancel', apply: 'Apply', preview: 'Preview', close: 'Close',
  id: 'Id', name: 'Name', kind: 'Kind', floors: 'Floors', width: 'Width (m)', height: 'Height (m)', x: 'X (m)', y: 'Y (m)', floor: 'Floor', elevator: 'Elevator',
  plan: 'Estate plan (drag buildings, bins, manholes)', planSaved: 'Position saved', selectNode: 'Select a node on the left',
  exportYaml: 'Export YAML', exportXlsx: 'Export Excel', importFile: 'Import YAML / Excel', importPreview: 'Import preview: these changes would be made', noChanges: 'No changes',
  added: 'added', removed: 'removed', changed: 'changed', problems: 'Problems', row: 'Row', reason: 'Reason',
  secret: 'Device secret', provision: 'Provision secret', rotate: 'Rotate secret', revoke: 'Revoke secret', secretOnce: 'Shown this once only: hand it to the installer now (scan the code)', revoked: 'Revoked; its connection was dropped',
  unclaimed: 'Unclaimed devices', claim: 'Claim', bulkAdd: 'Add many devices (CSV / Excel)', connected: 'online', disconnected: 'offline', refusals: 'Refusals', signal: 'Signal', battery: 'Battery',
  users: 'Users', role: 'Role', phone: 'Phone', disable: 'Disable', enable: 'Enable', resetPassword: 'Reset password', password: 'Password', gridsServed: 'Grid served', addWarden: 'Add a warden (with a login)', addUser: 'Add user', disabled: 'disabled',
  week: 'This week', onDutyNow: 'On duty now', addShift: 'Add shift', from: 'From', to: 'To', swap: 'Swap', removeShift: 'Remove',
  activeSilences: 'Active silences', newSilence: 'New silence / maintenance window', endEarly: 'End early', scope: 'Scope', silencedOnPlan: 'silenced',
  ruleEditor: 'Rule set (YAML)', valid: 'Valid', dryRun: 'Dry run (replay the last 7 days)', wouldFire: 'Would have fired {n} times', versions: 'Versions', revert: 'Revert', savedBy: 'Saved by', savedAt: 'When', readingsReplayed: '{n} readings replayed',
  search: 'Search', exportCsv: 'Export CSV', time: 'Time', user: 'User', address: 'From', action: 'Action', target: 'Target', status: 'Status',
  kpis: 'KPIs', by: 'Group by', period: 'Period', exportExcel: 'Export Excel', print: 'Print monthly report', monthly: 'Monthly report', closureRate: 'Closure rate', onTimeRate: 'On-time rate', total: 'Tickets', closed: 'Closed', open: 'Open', overdue: 'Overdue',
  toAccept: 'Mean time to accept', toArrive: 'Mean time to arrive', toClose: 'Mean time to close', minutes: 'minutes', ok: 'Done', state: 'State',
};

export type AdminKey = Keys;
export function useAdminT(): (key: AdminKey, vars?: Record<string, string | number>) => string {
  const { lang } = useI18n();
  const dict = lang === 'en' ? en : zh;
  return (key, vars) => dict[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars?.[k] ?? ''));
}
