// One filter per admin-defined custom field, written as the API's `custom` conditions:
// `key:value` (text), `key:a|b` (one of the options), `key:true` (yes/no) and
// `key:low..high` (numbers, dates; either end open).
import { Select } from 'antd';
import type { TFunction } from 'i18next';
import type { Schemas } from '../../api/client';
import { DateRange, fieldStyle, NumberRange, SearchBox } from './controls';
import type { FilterField } from './FilterPanel';

type Definition = Schemas['CustomFieldOut'];

/** The value part of the condition on `key` (`a|b` of `key:a|b`), if any. */
export function conditionValue(conditions: string[], key: string): string | undefined {
  return conditions.find((c) => c.startsWith(`${key}:`))?.slice(key.length + 1);
}

/** The conditions with the one on `key` replaced by `value` (none when it is empty). */
export function withCondition(conditions: string[], key: string, value: string | undefined): string[] {
  const others = conditions.filter((c) => !c.startsWith(`${key}:`));
  return value ? [...others, `${key}:${value}`] : others;
}

function bounds(value: string | undefined): [string | undefined, string | undefined] {
  if (!value?.includes('..')) return [undefined, undefined];
  const [low = '', high = ''] = value.split('..');
  return [low || undefined, high || undefined];
}

const between = (low: string | undefined, high: string | undefined) => (low || high ? `${low ?? ''}..${high ?? ''}` : undefined);

export function customFieldFilters(
  definitions: Definition[],
  conditions: string[],
  onChange: (conditions: string[]) => void,
  t: TFunction,
  language: string,
): FilterField[] {
  return definitions.map((field) => {
    const value = conditionValue(conditions, field.key);
    const set = (next: string | undefined) => onChange(withCondition(conditions, field.key, next));
    const label = language === 'en' ? field.label_en : field.label_zh;
    const testId = `filter-custom-${field.key}`;
    const render = (inDrawer: boolean) => {
      const style = fieldStyle(inDrawer, 200);
      switch (field.type) {
        case 'enum':
          return (
            <Select
              mode="multiple"
              allowClear
              style={style}
              placeholder={label}
              data-testid={testId}
              value={value ? value.split('|') : []}
              options={field.options.map((o) => ({ value: o, label: o }))}
              onChange={(picked: string[]) => set(picked.join('|') || undefined)}
            />
          );
        case 'bool':
          return (
            <Select
              allowClear
              style={style}
              placeholder={label}
              value={value}
              data-testid={testId}
              options={[
                { value: 'true', label: t('common.yes') },
                { value: 'false', label: t('common.no') },
              ]}
              onChange={(picked?: string) => set(picked)}
            />
          );
        case 'number': {
          const [low, high] = bounds(value);
          return <NumberRange style={style} min={low} max={high} testId={testId} onChange={(a, b) => set(between(a, b))} />;
        }
        case 'date': {
          const [low, high] = bounds(value);
          return <DateRange style={style} from={low} to={high} testId={testId} onChange={(a, b) => set(between(a, b))} />;
        }
        default:
          return <SearchBox style={style} placeholder={label} value={value} testId={testId} onChange={set} />;
      }
    };
    return { key: `custom:${field.key}`, label, active: value !== undefined, render, group: t('filters.custom') };
  });
}
