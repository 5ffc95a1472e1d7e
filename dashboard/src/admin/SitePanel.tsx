import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Modal, Popconfirm, Row, Select, Space, Table, Tag, Tree, Typography, Upload } from 'antd';
import { importSite, problemsOf, siteOps, type Problem, type SiteChange, type SiteEstate, type SiteJson, type SiteOp } from './api.ts';
import { PlanEditor } from './PlanEditor.tsx';
import { useAdminT, type AdminKey } from './i18n.ts';

type Level = 'street' | 'community' | 'grid' | 'estate' | 'building' | 'unit' | 'warden';
interface Node { level: Level; id: string; name: string; estate?: SiteEstate; retired?: { at: string; by: string } }
const CHILDREN: Record<Level, Level[]> = { street: ['community'], community: ['grid'], grid: ['estate', 'warden'], estate: ['building'], building: ['unit'], unit: [], warden: [] };

function index(site: SiteJson): Map<string, Node> {
  const m = new Map<string, Node>();
  m.set(site.street.id, { level: 'street', id: site.street.id, name: site.street.name });
  for (const c of site.communities) {
    m.set(c.id, { level: 'community', id: c.id, name: c.name, retired: c.retired });
    for (const g of c.grids) {
      m.set(g.id, { level: 'grid', id: g.id, name: g.name, retired: g.retired });
      for (const w of g.wardens) m.set(w.id, { level: 'warden', id: w.id, name: w.name, retired: w.retired });
      for (const e of g.estates) {
        m.set(e.id, { level: 'estate', id: e.id, name: e.name, estate: e, retired: e.retired });
        for (const b of e.buildings) {
          m.set(b.id, { level: 'building', id: b.id, name: b.name, estate: e, retired: b.retired });
          for (const u of b.units) m.set(u.id, { level: 'unit', id: u.id, name: u.name, estate: e, retired: u.retired });
        }
      }
    }
  }
  return m;
}

/** Changes and problems of an import or edit, as a table (problems with their sheet and row). */
export function ChangesTable({ changes, problems }: { changes: SiteChange[] | null; problems: Problem[] | null }) {
  const t = useAdminT();
  if (problems?.length) {
    return (
      <Table<Problem>
        data-testid="site-problems"
        size="small"
        rowKey={(p, i) => `${p.path}-${i}`}
        pagination={false}
        dataSource={problems}
        columns={[
          { title: t('row'), render: (_, p) => (p.sheet ? `${p.sheet} ${p.row ?? ''}` : p.path) },
          { title: t('reason'), dataIndex: 'reason' },
        ]}
      />
    );
  }
  if (!changes) return null;
  if (!changes.length) return <Typography.Text>{t('noChanges')}</Typography.Text>;
  return (
    <Table<SiteChange>
      data-testid="site-changes"
      size="small"
      rowKey={(c) => `${c.level}-${c.id}`}
      pagination={{ pageSize: 10 }}
      dataSource={changes}
      columns={[
        { title: t('status'), render: (_, c) => <Tag color={c.change === 'added' ? 'green' : c.change === 'removed' ? 'red' : 'blue'}>{t(c.change)}</Tag> },
        { title: t('kind'), render: (_, c) => (['street', 'community', 'grid', 'estate', 'building', 'unit', 'device', 'warden'].includes(c.level) ? t(c.level as AdminKey) : c.level) },
        { title: t('id'), dataIndex: 'id' },
        { title: '', render: (_, c) => c.fields?.join(', ') },
      ]}
    />
  );
}

/** Site (场地): the tree, add / rename / move / retire, the estate plan editor, YAML and Excel import and export. */
export function SitePanel({ site, reload, silenced, selected, select }: { site: SiteJson; reload(): void; silenced: ReadonlySet<string>; selected: string | null; select(id: string): void }) {
  const t = useAdminT();
  const { message } = App.useApp();
  const nodes = useMemo(() => index(site), [site]);
  const node = selected ? nodes.get(selected) : undefined;
  const [addLevel, setAddLevel] = useState<Level | null>(null);
  const [imported, setImported] = useState<{ file: File; changes: SiteChange[] | null; problems: Problem[] | null } | null>(null);
  const [form] = Form.useForm();
  const [expanded, setExpanded] = useState<string[]>(() => [site.street.id, ...site.communities.map((c) => c.id)]);

  const run = async (ops: SiteOp[], done?: string) => {
    try {
      await siteOps(ops);
      if (done) message.success(done);
      reload();
      return true;
    } catch (err) {
      Modal.error({ title: t('problems'), content: <ChangesTable changes={null} problems={problemsOf(err)} /> , width: 640 });
      return false;
    }
  };

  // A retired node stays in the tree, marked, until an admin restores it.
  const mark = (n: { retired?: unknown }) => (n.retired ? ` · ${t('retiredTag')}` : '');
  const treeData = site.communities.map((c) => ({
    key: c.id,
    title: `${t('community')} ${c.name}${mark(c)}`,
    children: c.grids.map((g) => ({
      key: g.id,
      title: `${t('grid')} ${g.name}${mark(g)}`,
      children: [
        ...g.estates.map((e) => ({
          key: e.id,
          title: `${t('estate')} ${e.name} (${e.devices.filter((d) => !d.retired).length})${mark(e)}`,
          children: e.buildings.map((b) => ({ key: b.id, title: `${t('building')} ${b.name}${mark(b)}`, children: b.units.map((u) => ({ key: u.id, title: `${t('unit')} ${u.name}${mark(u)}`, isLeaf: true })) })),
        })),
        ...g.wardens.map((w) => ({ key: w.id, title: `${t('warden')} ${w.name}${mark(w)}`, isLeaf: true })),
      ],
    })),
  }));

  const addNode = async (v: Record<string, unknown>) => {
    if (!node || !addLevel) return;
    const n: Record<string, unknown> = { id: v.id, name: v.name };
    if (addLevel === 'estate') n.plan = { width_m: v.width ?? 200, height_m: v.height ?? 150 };
    if (addLevel === 'building') Object.assign(n, { floors: v.floors ?? 6, position: { x: v.x ?? 10, y: v.y ?? 10 }, units: [] });
    if (addLevel === 'warden') Object.assign(n, { phone: v.phone, role: v.role ?? 'full_time' });
    if (await run([{ op: 'add', level: addLevel, parent: node.id, node: n }], `${t('add')} ${String(v.id)}`)) {
      // the new node is shown and selected (its parent opened)
      setExpanded((e) => [...new Set([...e, node.id])]);
      select(String(v.id));
      setAddLevel(null);
      form.resetFields();
    }
  };

  const upload = async (file: File) => {
    try {
      setImported({ file, changes: (await importSite(file, false)).changes, problems: null });
    } catch (err) {
      setImported({ file, changes: null, problems: problemsOf(err) });
    }
    return false;
  };

  return (
    <Row gutter={16}>
      <Col xs={24} lg={8}>
        <Card size="small" title={t('tree')} extra={<Space size="small"><a href="/api/admin/site/export.yaml">{t('exportYaml')}</a><a href="/api/admin/site/export.xlsx">{t('exportXlsx')}</a></Space>}>
          <Upload accept=".yaml,.yml,.xlsx" showUploadList={false} beforeUpload={(f) => void upload(f)}>
            <Button size="small" data-testid="site-import">{t('importFile')}</Button>
          </Upload>
          <Tree style={{ marginTop: 8 }} data-testid="site-tree" expandedKeys={expanded} onExpand={(k) => setExpanded(k.map(String))} selectedKeys={selected ? [selected] : []} onSelect={(k) => k[0] && select(String(k[0]))} treeData={[{ key: site.street.id, title: `${t('street')} ${site.street.name}`, children: treeData }]} />
        </Card>
      </Col>
      <Col xs={24} lg={16}>
        {!node ? (
          <Alert type="info" message={t('selectNode')} />
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Card size="small" title={`${t(node.level as AdminKey)} ${node.name} · ${node.id}`}>
              <Space wrap>
                <Input.Search key={node.id} data-testid="rename" defaultValue={node.name} enterButton={t('rename')} style={{ width: 320 }} onSearch={(name) => void run([{ op: 'rename', id: node.id, name }], t('ok'))} />
                {CHILDREN[node.level].map((l) => (
                  <Button key={l} data-testid={`add-${l}`} onClick={() => setAddLevel(l)}>
                    {t('add')} {t(l as AdminKey)}
                  </Button>
                ))}
                {node.retired && (
                  <>
                    <Tag color="default" data-testid="retired-tag">{t('retiredTag')} · {node.retired.by} · {new Date(node.retired.at).toLocaleString()}</Tag>
                    <Button data-testid="restore" onClick={() => void run([{ op: 'restore', id: node.id }], t('ok'))}>{t('restore')}</Button>
                  </>
                )}
                {node.level !== 'street' && !node.retired && (
                  <Popconfirm title={`${t('retire')} ${node.id}?`} onConfirm={() => void run([{ op: 'retire', id: node.id }], t('ok'))}>
                    <Button danger>{t('retire')}</Button>
                  </Popconfirm>
                )}
              </Space>
            </Card>
            {node.estate && (
              <Card size="small" title={`${t('plan')} · ${node.estate.name}`}>
                <PlanEditor estate={{ ...node.estate, buildings: node.estate.buildings.filter((b) => !b.retired), devices: node.estate.devices.filter((d) => !d.retired) }} silenced={silenced} onMove={(id, position) => void run([{ op: 'move', id, position }], t('planSaved'))} />
              </Card>
            )}
          </Space>
        )}
      </Col>
      <Modal open={addLevel !== null} title={addLevel ? `${t('add')} ${t(addLevel as AdminKey)}` : ''} onCancel={() => setAddLevel(null)} onOk={() => form.submit()} okText={t('save')} cancelText={t('cancel')} okButtonProps={{ 'data-testid': 'add-save' } as never}>
        <Form form={form} layout="vertical" onFinish={(v) => void addNode(v as Record<string, unknown>)}>
          <Form.Item name="id" label={t('id')} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/ }]}>
            <Input data-testid="add-id" />
          </Form.Item>
          <Form.Item name="name" label={t('name')} rules={[{ required: true }]}>
            <Input data-testid="add-name" />
          </Form.Item>
          {addLevel === 'estate' && (
            <Space>
              <Form.Item name="width" label={t('width')} initialValue={200}><InputNumber min={10} /></Form.Item>
              <Form.Item name="height" label={t('height')} initialValue={150}><InputNumber min={10} /></Form.Item>
            </Space>
          )}
          {addLevel === 'building' && (
            <Space>
              <Form.Item name="floors" label={t('floors')} initialValue={6}><InputNumber min={1} max={200} /></Form.Item>
              <Form.Item name="x" label={t('x')} initialValue={10}><InputNumber min={0} data-testid="add-x" /></Form.Item>
              <Form.Item name="y" label={t('y')} initialValue={10}><InputNumber min={0} data-testid="add-y" /></Form.Item>
            </Space>
          )}
          {addLevel === 'warden' && (
            <Space>
              <Form.Item name="phone" label="phone" rules={[{ required: true }]}><Input /></Form.Item>
              <Form.Item name="role" label={t('role')} initialValue="full_time"><Select style={{ width: 160 }} options={['grid_leader', 'full_time', 'part_time'].map((r) => ({ value: r, label: r }))} /></Form.Item>
            </Space>
          )}
        </Form>
      </Modal>
      <Modal
        open={imported !== null}
        width={760}
        title={t('importPreview')}
        onCancel={() => setImported(null)}
        okText={t('apply')}
        cancelText={t('cancel')}
        okButtonProps={{ disabled: !imported?.changes?.length, 'data-testid': 'import-apply' } as never}
        onOk={async () => {
          if (!imported) return;
          try {
            await importSite(imported.file, true);
            setImported(null);
            message.success(t('ok'));
            reload();
          } catch (err) {
            setImported({ ...imported, changes: null, problems: problemsOf(err) });
          }
        }}
      >
        {imported && <ChangesTable changes={imported.changes} problems={imported.problems} />}
      </Modal>
    </Row>
  );
}
