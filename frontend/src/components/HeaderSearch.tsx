import { SearchOutlined } from '@ant-design/icons';
import { AutoComplete, Input, Typography, type InputRef } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { hitLink, isSearchShortcut } from '../lib/searchLinks';
import { useSearch, type SearchHit } from '../queries/search';
import { Highlight } from './Highlight';

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** The header's search box: `/` or Ctrl/⌘+K focuses it; results grouped by type as you type,
 * the match highlighted; arrows move, Enter opens a result or, with none chosen, the results page. */
export function HeaderSearch({ wide }: { wide: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const input = useRef<InputRef>(null);
  const [text, setText] = useState('');
  const q = useDebounced(text, 200);
  const search = useSearch(q, 5);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isSearchShortcut(e)) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const label = (hit: SearchHit) => (
    <div data-testid={`search-hit-${hit.type}`}>
      <div>
        <Highlight
          value={hit.field === 'name' || hit.field === 'title' ? hit.value : hit.title}
          span={hit.field === 'name' || hit.field === 'title' ? hit.highlight : null}
        />
      </div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {hit.subtitle}
        {hit.field !== 'name' && hit.field !== 'title' && (
          <>
            {' '}
            · {t(`search.fields.${hit.field}`, { defaultValue: t('search.fields.other') })}：
            <Highlight value={hit.value} span={hit.highlight} />
          </>
        )}
      </Typography.Text>
    </div>
  );
  const options =
    text.trim() && search.data
      ? search.data.groups
          .filter((g) => g.items.length > 0)
          .map((g) => ({
            label: t(`search.groups.${g.type}`),
            options: g.items.map((hit) => ({ value: `${hit.type}:${hit.id}`, label: label(hit) })),
          }))
      : [];
  const hits = new Map<string, SearchHit>(
    (search.data?.groups ?? []).flatMap((g) => g.items.map((hit): [string, SearchHit] => [`${hit.type}:${hit.id}`, hit])),
  );
  const empty = text.trim() && search.data && options.length === 0 && !search.isFetching;

  return (
    <AutoComplete
      style={{ width: wide ? 360 : 140, lineHeight: 'normal' }}
      options={options}
      value={text}
      onChange={(value: string) =>
        setText(value.includes(':') && /^(customers|contacts|tickets|opportunities|follow_ups):\d+$/.test(value) ? text : value)
      }
      onSelect={(value: string) => {
        const hit = hits.get(value);
        if (hit) {
          navigate(hitLink(hit));
          setText('');
          input.current?.blur();
        }
      }}
      notFoundContent={empty ? t('search.none') : null}
      popupMatchSelectWidth={wide ? 420 : 300}>
      <Input
        ref={input}
        allowClear
        prefix={<SearchOutlined />}
        data-testid="header-search"
        placeholder={wide ? t('search.placeholder') : t('search.short')}
        onPressEnter={(e) => {
          const value = (e.target as HTMLInputElement).value.trim();
          // AutoComplete handles Enter on a chosen option; without one, the results page.
          const active = document.querySelector('.ant-select-item-option-active');
          if (value && !active) {
            navigate(`/search?q=${encodeURIComponent(value)}`);
            input.current?.blur();
          }
        }}
      />
    </AutoComplete>
  );
}
