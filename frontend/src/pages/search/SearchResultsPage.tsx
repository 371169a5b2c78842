import { Empty, List, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Highlight } from '../../components/Highlight';
import { PageCard } from '../../components/PageCard';
import { hitLink } from '../../lib/searchLinks';
import { useSearch } from '../../queries/search';

/** /search?q=: every group, up to 20 hits each; "more" leads to the list filtered by q. */
export default function SearchResultsPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const q = (params.get('q') ?? '').slice(0, 100);
  const search = useSearch(q, 20);
  const groups = search.data?.groups.filter((g) => g.items.length > 0) ?? [];
  const moreLink: Record<string, string> = { customers: '/customers', tickets: '/tickets' };
  return (
    <PageCard title={t('search.resultsFor', { q })}>
      {search.isPending && q ? (
        <Spin />
      ) : groups.length === 0 ? (
        <Empty description={t('search.none')} />
      ) : (
        groups.map((g) => (
          <div key={g.type} style={{ marginBottom: 24 }} data-testid={`search-group-${g.type}`}>
            <Typography.Title level={5}>
              {t(`search.groups.${g.type}`)}（{g.items.length}
              {g.more ? '+' : ''}）
            </Typography.Title>
            <List
              size="small"
              dataSource={g.items}
              renderItem={(hit) => (
                <List.Item>
                  <List.Item.Meta
                    title={
                      <Link to={hitLink(hit)}>
                        <Highlight
                          value={hit.field === 'name' || hit.field === 'title' ? hit.value : hit.title}
                          span={hit.field === 'name' || hit.field === 'title' ? hit.highlight : null}
                        />
                      </Link>
                    }
                    description={
                      <>
                        {hit.subtitle}
                        {hit.field !== 'name' && hit.field !== 'title' && (
                          <>
                            {' '}
                            · {t(`search.fields.${hit.field}`, { defaultValue: t('search.fields.other') })}：
                            <Highlight value={hit.value} span={hit.highlight} />
                          </>
                        )}
                      </>
                    }
                  />
                </List.Item>
              )}
            />
            {g.more && moreLink[g.type] && <Link to={`${moreLink[g.type]}?q=${encodeURIComponent(q)}`}>{t('search.more')}</Link>}
          </div>
        ))
      )}
    </PageCard>
  );
}
