// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import i18n from '../../i18n';
import en from '../../i18n/en';
import zh from '../../i18n/zh-CN';
import { CUSTOMER_FILTERS, TICKET_FILTERS } from '../../lib/listQueries';
import { readParams, withFilters } from '../../lib/urlState';
import { chipsOf, type ChipLookups, type ChipSpec, type Translate } from './chips';
import { CUSTOMER_CHIPS, TICKET_CHIPS } from './specs';

const names: Record<number, string> = { 1: '张伟', 2: '李娜' };
const tags: Record<number, string> = { 7: '重点', 8: '华东' };
const fields: Record<string, { label: string; type: string }> = {
  erp_system: { label: 'ERP 系统', type: 'enum' },
  annual_budget: { label: '年度预算', type: 'number' },
  signed_on: { label: '签约日期', type: 'date' },
  vip: { label: '贵宾', type: 'bool' },
  note: { label: '备注', type: 'text' },
};

function lookups(language: 'zh-CN' | 'en' = 'zh-CN'): ChipLookups {
  return {
    t: i18n.getFixedT(language) as unknown as Translate,
    user: (id) => names[id] ?? `#${id}`,
    department: (id) => (id === 3 ? '售后部' : `#${id}`),
    tag: (id) => tags[id] ?? `#${id}`,
    customer: (id) => (id === 9 ? '上海云帆科技有限公司' : `#${id}`),
    customField: (key) => fields[key],
  };
}

const customerChips = (query: string, language?: 'zh-CN' | 'en') =>
  chipsOf(CUSTOMER_CHIPS, readParams(CUSTOMER_FILTERS, new URLSearchParams(query)), lookups(language));
const texts = (query: string, language?: 'zh-CN' | 'en') => customerChips(query, language).map((c) => c.text);

describe('chips say each condition in the reader’s words', () => {
  it('enum values by their labels, several joined', () => {
    expect(texts('stage=intent&stage=customer')).toEqual(['生命周期阶段：意向、成交']);
    expect(texts('value_level=high&source=exhibition&urgency=low&kind=individual')).toEqual([
      '类型：个人',
      '价值层级：高价值',
      '来源：展会',
      '紧急程度：低',
    ]);
  });

  it('grades and regions as they are, the search text as typed', () => {
    expect(texts('q=云帆&grade=S&grade=A&region=华东-上海&region=华南')).toEqual(['搜索：云帆', '价值等级：S、A', '区域：华东-上海、华南']);
  });

  it('users, departments and tags by name, with the tag mode in the label', () => {
    expect(texts('owner_id=1&owner_department_id=3&tags_all=7&tags_all=8&tags_any=8&tags_none=7')).toEqual([
      '负责人：张伟',
      '负责人部门：售后部',
      '标签（全部）：重点、华东',
      '标签（任一）：华东',
      '标签（排除）：重点',
    ]);
  });

  it('"no owner" for unowned=true', () => {
    expect(texts('unowned=true')).toEqual(['负责人：无负责人']);
  });

  it('dates as dates, ranges open at either end', () => {
    expect(texts('created_from=2025-01-01&created_to=2025-01-31&last_contact_to=2025-03-01&next_follow_up_to=2025-06-08')).toEqual([
      '创建日期：2025年1月1日 至 2025年1月31日',
      '最近联系日期：至 2025年3月1日',
      '下次跟进截至：2025年6月8日',
    ]);
    expect(texts('first_contact_from=2024-12-05')).toEqual(['首次接触日期：2024年12月5日 起']);
  });

  it('days, amounts and order counts', () => {
    expect(texts('not_contacted_days=30&amount_min=10000&amount_max=50000.5&order_count_min=2')).toEqual([
      '未联系天数：30 天及以上',
      '累计金额（元）：10000 至 50000.5',
      '订单数：2 起',
    ]);
  });

  it('custom fields by their label, one chip per condition', () => {
    expect(
      texts(
        'custom=erp_system:用友U8|金蝶&custom=annual_budget:50..&custom=signed_on:2025-01-01..2025-06-30' +
          '&custom=vip:true&custom=gone:x',
      ),
    ).toEqual(['ERP 系统：用友U8、金蝶', '年度预算：50 起', '签约日期：2025年1月1日 至 2025年6月30日', '贵宾：是', 'gone：x']);
  });

  it('archived only when it is not the default', () => {
    expect(texts('archived=false')).toEqual([]);
    expect(texts('archived=all')).toEqual(['归档：全部']);
  });

  it('in English on the English screen', () => {
    expect(texts('stage=intent&created_from=2025-01-01', 'en')).toEqual(['Lifecycle stage: Intent', 'Created on: from 2025-01-01']);
  });

  it('tickets: statuses, SLA state, the customer by name, its tags', () => {
    const chips = chipsOf(
      TICKET_CHIPS,
      readParams(
        TICKET_FILTERS,
        new URLSearchParams(
          'status=new&status=in_progress&sla_state=warning&customer_id=9&customer_tag_id=8&assignee_id=2&closed_from=2025-02-01',
        ),
      ),
      lookups(),
    );
    expect(chips.map((c) => c.text)).toEqual([
      '状态：新建、处理中',
      'SLA 状态：预警',
      '处理人：李娜',
      '客户：上海云帆科技有限公司',
      '客户标签（任一）：华东',
      '关闭日期：2025年2月1日 起',
    ]);
  });
});

describe('closing a chip', () => {
  const close = (query: string, text: string) => {
    const search = new URLSearchParams(query);
    const chip = customerChips(query).find((c) => c.text === text)!;
    return withFilters(CUSTOMER_FILTERS, search, chip.remove as never).toString();
  };

  it('removes that condition only, keeps the sort and goes back to page one', () => {
    expect(close('stage=intent&grade=S&sort=-name&c=abc', '价值等级：S')).toBe('stage=intent&sort=-name');
  });

  it('removes both ends of a range', () => {
    expect(close('created_from=2025-01-01&created_to=2025-01-31&q=x', '创建日期：2025年1月1日 至 2025年1月31日')).toBe('q=x');
  });

  it('removes one custom-field condition and keeps the others', () => {
    expect(close('custom=vip:true&custom=annual_budget:1..2', '贵宾：是')).toBe(
      new URLSearchParams('custom=annual_budget:1..2').toString(),
    );
  });
});

describe('the chip specs', () => {
  const keysOf = (specs: readonly ChipSpec[]) => specs.flatMap((s) => (s.kind === 'range' ? [s.from, s.to] : [s.key]));

  it('cover every filter of each list', () => {
    expect(keysOf(CUSTOMER_CHIPS).sort()).toEqual(
      Object.keys(CUSTOMER_FILTERS)
        .filter((k) => k !== 'sort')
        .sort(),
    );
    expect(keysOf(TICKET_CHIPS).sort()).toEqual(Object.keys(TICKET_FILTERS).sort());
  });

  it('name labels both dictionaries have', () => {
    const has = (dictionary: object, key: string) =>
      typeof key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], dictionary) === 'string';
    const labels = [...CUSTOMER_CHIPS, ...TICKET_CHIPS].map((s) => s.label);
    expect(labels.filter((l) => !has(zh, l) || !has(en, l))).toEqual([]);
  });
});
