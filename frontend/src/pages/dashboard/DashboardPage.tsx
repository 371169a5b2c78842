import { Button, Card, Col, DatePicker, Flex, List, Row, Segmented, Space, Tag, Typography } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useClaims } from '../../auth/useSession';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel } from '../../components/selects';
import { dateFromPicker, dateToPicker, todayInZone } from '../../lib/time';
import { useFigure, type Figure, type FigurePath, type FigureQuery } from '../../queries/analytics';
import { useAlerts } from '../../queries/reports';
import { bucketBars, categoryBars, drillRoute, groupBars, pie, type Chart } from './charts';
import { EChart } from './EChart';

type Bucket = 'day' | 'week' | 'month';
const BUCKETS: Bucket[] = ['day', 'week', 'month'];

/** The period in the URL (so a reload or a shared link keeps it); six months by month by default. */
function usePeriod(): [FigureQuery, (next: Partial<Record<'from' | 'to' | 'bucket', string>>) => void] {
  const [search, setSearch] = useSearchParams();
  const today = todayInZone();
  const query: FigureQuery = {
    from: search.get('from') ?? today.subtract(5, 'month').startOf('month').format('YYYY-MM-DD'),
    to: search.get('to') ?? today.format('YYYY-MM-DD'),
    bucket: (BUCKETS as string[]).includes(search.get('bucket') ?? '') ? (search.get('bucket') as Bucket) : 'month',
  };
  const set = (next: Partial<Record<'from' | 'to' | 'bucket', string>>) => {
    const params = new URLSearchParams(search);
    for (const [k, v] of Object.entries(next))
      if (v) params.set(k, v);
      else params.delete(k);
    setSearch(params);
  };
  return [query, set];
}

function Panel({
  title,
  path,
  query,
  extra,
  build,
  testId,
  height,
}: {
  title: string;
  path: FigurePath;
  query: FigureQuery;
  extra?: Partial<FigureQuery> & { dimension?: string };
  build: (figure: Figure) => Chart;
  testId: string;
  height?: number;
}) {
  const navigate = useNavigate();
  const figure = useFigure(path, { ...query, ...extra } as FigureQuery);
  return (
    <Card
      size="small"
      title={title}
      data-testid={testId}
      extra={
        figure.data && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {figure.data.unit === 'ratio' ? '%' : ''}
          </Typography.Text>
        )
      }>
      <QueryState query={figure}>
        {(data) => (
          <ChartOf figure={data} build={build} height={height} testId={`${testId}-chart`} onOpen={(route) => void navigate(route)} />
        )}
      </QueryState>
    </Card>
  );
}

function ChartOf({
  figure,
  build,
  onOpen,
  height,
  testId,
}: {
  figure: Figure;
  build: (figure: Figure) => Chart;
  onOpen: (route: string) => void;
  height?: number;
  testId: string;
}) {
  const { i18n } = useTranslation();
  // `build` is a new arrow on every render of the dashboard; what it makes depends only on the
  // figure and on the language of its labels, so the chart (and ECharts' setOption) is redone on those.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the language, see above
  const chart = useMemo(() => build(figure), [figure, i18n.language]);
  const definition = i18n.language.startsWith('zh') ? figure.definition.zh : figure.definition.en;
  return (
    <>
      <EChart
        option={chart.option}
        height={height}
        testId={testId}
        onClick={(s, d) => {
          const route = drillRoute(chart.points[s]?.[d]);
          if (route) onOpen(route);
        }}
      />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }} ellipsis={{ rows: 2, expandable: true }}>
        {definition}
      </Typography.Paragraph>
    </>
  );
}

function AlertsCard() {
  const { t } = useTranslation();
  const alerts = useAlerts(true);
  const enumLabel = useEnumLabel();
  return (
    <Card size="small" title={t('reports.alerts')} data-testid="alerts">
      <QueryState query={alerts}>
        {(data) => (
          <List
            size="small"
            dataSource={data}
            locale={{ emptyText: t('reports.noAlerts') }}
            renderItem={(a) => (
              <List.Item
                actions={[
                  <Link key="list" to={a.evidence.list ?? '/tickets'}>
                    {t('reports.evidenceList')}
                  </Link>,
                  <Link key="chart" to={a.evidence.chart ?? '/'}>
                    {t('reports.evidenceChart')}
                  </Link>,
                ]}>
                <Space wrap>
                  <Tag color="warning">{t(`reports.alertKind.${a.kind}` as 'reports.alertKind.ticket_type_surge')}</Tag>
                  {a.subject !== 'all' && <span>{enumLabel('ticket_type', a.subject)}</span>}
                  <Typography.Text type="secondary">
                    {a.period_start} – {a.period_end}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        )}
      </QueryState>
    </Card>
  );
}

function Grid({ children }: { children: ReactNode[] }) {
  return (
    <Row gutter={[16, 16]}>
      {children.filter(Boolean).map((child, i) => (
        <Col key={i} xs={24} lg={12}>
          {child}
        </Col>
      ))}
    </Row>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const claims = useClaims();
  const [query, setPeriod] = usePeriod();
  const role = claims.role;
  const sales = role !== 'agent';
  const team = role === 'supervisor' || role === 'admin' || role === 'readonly';
  const enumLabel = useEnumLabel();
  const en = (group: Parameters<typeof enumLabel>[0]) => (key: string) => enumLabel(group, key);
  const s = (key: string): string => t(`analytics.series.${key}` as 'analytics.series.new');

  const customerPanels = sales
    ? [
        <Panel
          key="new"
          testId="fig-customers-new"
          title={t('analytics.fig.customersNew')}
          path="/api/v1/analytics/customers/new"
          query={query}
          build={(f) => bucketBars(f, [{ name: 'new', label: s('new') }])}
        />,
        <Panel
          key="activity"
          testId="fig-customers-activity"
          title={t('analytics.fig.activity')}
          path="/api/v1/analytics/customers/activity"
          query={query}
          build={(f) => pie(f, 'customers', en('activity_status'))}
        />,
        <Panel
          key="funnel"
          testId="fig-sales-funnel"
          title={t('analytics.fig.funnel')}
          path="/api/v1/analytics/sales/funnel"
          query={query}
          build={(f) => categoryBars(f, 'opportunities', en('opportunity_stage'))}
        />,
        <Panel
          key="pool"
          testId="fig-sales-pool"
          title={t('analytics.fig.pool')}
          path="/api/v1/analytics/sales/pool"
          query={query}
          build={(f) =>
            bucketBars(f, [
              { name: 'release', label: s('release') },
              { name: 'claim', label: s('claim') },
            ])
          }
        />,
      ]
    : [];
  const servicePanels = [
    <Panel
      key="volume"
      testId="fig-service-volume"
      title={t('analytics.fig.volume')}
      path="/api/v1/analytics/service/volume"
      query={query}
      extra={{ dimension: 'type' }}
      build={(f) => groupBars(f, 'opened', en('ticket_type'))}
    />,
    <Panel
      key="sla"
      testId="fig-service-sla"
      title={t('analytics.fig.sla')}
      path="/api/v1/analytics/service/sla"
      query={query}
      build={(f) =>
        bucketBars(
          f,
          [
            { name: 'first_response_on_time_rate', label: s('first_response_on_time_rate') },
            { name: 'resolution_on_time_rate', label: s('resolution_on_time_rate') },
          ],
          { percent: true, line: true },
        )
      }
    />,
    team && (
      <Panel
        key="backlog"
        testId="fig-service-backlog"
        title={t('analytics.fig.backlog')}
        path="/api/v1/analytics/service/backlog"
        query={query}
        build={(f) => bucketBars(f, [{ name: 'backlog', label: s('backlog') }])}
      />
    ),
    team && (
      <Panel
        key="agents"
        testId="fig-service-agents"
        title={t('analytics.fig.agents')}
        path="/api/v1/analytics/service/agents"
        query={query}
        build={(f) => categoryBars(f, 'open', (x) => x, true)}
      />
    ),
    <Panel
      key="satisfaction"
      testId="fig-service-satisfaction"
      title={t('analytics.fig.satisfaction')}
      path="/api/v1/analytics/service/satisfaction"
      query={query}
      build={(f) =>
        bucketBars(
          f,
          ['response_speed', 'resolution', 'attitude', 'overall'].map((name) => ({ name, label: s(name) })),
          { line: true },
        )
      }
    />,
    team && (
      <Panel
        key="top"
        testId="fig-service-top"
        title={t('analytics.fig.topProblems')}
        path="/api/v1/analytics/service/top-problems"
        query={query}
        build={(f) => categoryBars(f, 'overall', en('ticket_type'), true)}
      />
    ),
  ];

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('analytics.title')}
          </Typography.Title>
          <Space wrap>
            <DatePicker.RangePicker
              allowClear={false}
              value={[dateToPicker(query.from), dateToPicker(query.to)]}
              onChange={(v) => setPeriod({ from: dateFromPicker(v?.[0]) ?? undefined, to: dateFromPicker(v?.[1]) ?? undefined })}
            />
            <Segmented
              value={query.bucket}
              onChange={(bucket) => setPeriod({ bucket: String(bucket) })}
              options={BUCKETS.map((b) => ({ value: b, label: t(`analytics.bucket.${b}` as 'analytics.bucket.day') }))}
            />
          </Space>
        </Flex>
        <Space wrap style={{ marginTop: 8 }}>
          {role === 'account_manager' && (
            <Link to="/follow-ups/due">
              <Button size="small">{t('analytics.links.due')}</Button>
            </Link>
          )}
          {role === 'agent' && (
            <Link to={`/tickets?assignee_id=${claims.userId}&status=assigned&status=in_progress&status=reopened`}>
              <Button size="small">{t('analytics.links.queue')}</Button>
            </Link>
          )}
          {role !== 'account_manager' && (
            <Link to="/tickets?sla_state=warning">
              <Button size="small">{t('analytics.links.atRisk')}</Button>
            </Link>
          )}
          {role !== 'account_manager' && (
            <Link to="/tickets?sla_state=breached">
              <Button size="small">{t('analytics.links.breached')}</Button>
            </Link>
          )}
        </Space>
      </Card>
      {team && <AlertsCard />}
      {customerPanels.length > 0 && <Grid>{customerPanels}</Grid>}
      <Grid>{servicePanels}</Grid>
    </Space>
  );
}
