// Filter inputs that write the URL once a value is complete: text and numbers on Enter or when
// the box is left (not on every key), dates when both ends are picked.
import { DatePicker, Input, InputNumber, Space } from 'antd';
import { useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { dateFromPicker, dateToPicker } from '../../lib/time';

/** The bar gives each control its width; the drawer gives it the whole line. */
export function fieldStyle(inDrawer: boolean, width: number): CSSProperties {
  return inDrawer ? { width: '100%' } : { width };
}

export function SearchBox({
  value,
  onChange,
  placeholder,
  style,
  testId,
}: {
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  placeholder: string;
  style: CSSProperties;
  testId?: string;
}) {
  return (
    <Input.Search
      allowClear
      placeholder={placeholder}
      defaultValue={value}
      key={value ?? ''}
      style={style}
      onSearch={(text) => onChange(text.trim() || undefined)}
      data-testid={testId}
    />
  );
}

export function DateRange({
  from,
  to,
  onChange,
  style,
  testId,
}: {
  from: string | undefined;
  to: string | undefined;
  style: CSSProperties;
  testId?: string;
  onChange: (from: string | undefined, to: string | undefined) => void;
}) {
  const { t } = useTranslation();
  return (
    <DatePicker.RangePicker
      style={style}
      allowEmpty={[true, true]}
      data-testid={testId}
      placeholder={[t('filters.start'), t('filters.end')]}
      value={[dateToPicker(from), dateToPicker(to)]}
      onChange={(v) => onChange(dateFromPicker(v?.[0]) ?? undefined, dateFromPicker(v?.[1]) ?? undefined)}
    />
  );
}

/** `precision`: decimals kept (0 for counts, 2 for yuan); none given keeps what is typed. */
function CommitNumber({
  value,
  onCommit,
  placeholder,
  precision,
  testId,
  suffix,
  min = 0,
}: {
  value: string | undefined;
  onCommit: (value: string | undefined) => void;
  placeholder: string;
  precision?: number;
  testId?: string;
  suffix?: string;
  min?: number;
}) {
  const [draft, setDraft] = useState<number | null>(value === undefined ? null : Number(value));
  const commit = () => {
    const next = draft === null ? undefined : String(draft);
    if (next !== value) onCommit(next);
  };
  return (
    <InputNumber<number>
      min={min}
      precision={precision}
      value={draft}
      placeholder={placeholder}
      style={{ width: '100%' }}
      suffix={suffix}
      data-testid={testId}
      onChange={(v) => setDraft(v)}
      onBlur={commit}
      onPressEnter={commit}
    />
  );
}

export function NumberRange({
  min,
  max,
  onChange,
  style,
  precision,
  testId,
}: {
  min: string | undefined;
  max: string | undefined;
  style: CSSProperties;
  precision?: number;
  testId?: string;
  onChange: (min: string | undefined, max: string | undefined) => void;
}) {
  const { t } = useTranslation();
  // Keyed by the URL's values, so a chip removed or a view opened resets the boxes.
  return (
    <Space.Compact style={style} key={`${min ?? ''}..${max ?? ''}`}>
      <CommitNumber
        value={min}
        precision={precision}
        placeholder={t('filters.min')}
        testId={testId && `${testId}-min`}
        onCommit={(v) => onChange(v, max)}
      />
      <CommitNumber
        value={max}
        precision={precision}
        placeholder={t('filters.max')}
        testId={testId && `${testId}-max`}
        onCommit={(v) => onChange(min, v)}
      />
    </Space.Compact>
  );
}

export function NumberBox({
  value,
  onChange,
  placeholder,
  suffix,
  style,
  testId,
  min,
}: {
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  placeholder: string;
  suffix?: string;
  style: CSSProperties;
  testId?: string;
  min?: number;
}) {
  return (
    <div style={style} key={value ?? ''}>
      <CommitNumber value={value} precision={0} min={min} placeholder={placeholder} suffix={suffix} testId={testId} onCommit={onChange} />
    </div>
  );
}
