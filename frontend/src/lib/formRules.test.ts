// @vitest-environment jsdom
import type { FormRule } from 'antd';
import dayjs from 'dayjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestRules } from '../api/rules.gen';
import i18n from '../i18n';
import { changedNames, cleanText, creditCodeRule, fieldRules, idNumberRule, valueProblem } from './formRules';

interface JsonSchema {
  [key: string]: unknown;
  anyOf?: JsonSchema[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}
const openapi = JSON.parse(readFileSync('../openapi/openapi.json', 'utf8')) as { components: { schemas: Record<string, JsonSchema> } };
const schemas = openapi.components.schemas;
/** A field's schema in openapi.json, its null branch dropped. */
const property = (schema: string, field: string): JsonSchema => {
  const p = schemas[schema]?.properties?.[field] ?? {};
  return p.anyOf?.find((b) => b.type !== 'null') ?? p;
};

describe('rules.gen.ts, generated from openapi.json', () => {
  it('has the lengths, pattern, bounds and enum the contract states', () => {
    const name = property('CustomerCreate', 'name');
    expect(requestRules.CustomerCreate.name).toEqual({ required: true, minLength: name.minLength, maxLength: name.maxLength });
    expect(requestRules.CustomerCreate.name.maxLength).toBe(200);
    expect(requestRules.CustomerPatch.credit_code.maxLength).toBe(property('CustomerPatch', 'credit_code').maxLength);
    expect(requestRules.ContactCreate.email.maxLength).toBe(property('ContactCreate', 'email').maxLength);
    expect(requestRules.DepartmentCreate.key.pattern).toBe(property('DepartmentCreate', 'key').pattern);
    const minutes = property('SlaPolicyCreate', 'first_response_minutes');
    expect(requestRules.SlaPolicyCreate.first_response_minutes).toEqual({
      required: true,
      minimum: minutes.minimum,
      maximum: minutes.maximum,
    });
    expect(requestRules.CustomerCreate.gender.enum).toEqual(schemas.Gender?.enum);
    expect(requestRules.CustomFieldCreate.options.items).toEqual({ minLength: 1, maxLength: 100 });
  });

  it('keeps no bound only one shape of a field has (an amount is a number above 0 or any decimal string)', () => {
    expect(requestRules.OrderCreate.amount).toEqual({ required: true });
  });

  it('marks required exactly the fields each request body requires', () => {
    for (const [name, fields] of Object.entries(requestRules)) {
      const required = Object.entries(fields as Record<string, { required?: true }>)
        .filter(([, r]) => r.required)
        .map(([f]) => f);
      expect(required.sort(), name).toEqual([...(schemas[name]?.required ?? [])].sort());
    }
  });
});

/** The message a rule list gives a value, or null when it passes. */
async function message(rules: FormRule[], value: unknown): Promise<string | null> {
  for (const rule of rules) {
    if (typeof rule === 'function') continue;
    if (rule.required && (value === undefined || value === null || value === '')) return String(rule.message);
    try {
      await rule.validator?.(rule, value, () => undefined);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return null;
}

describe('form rules in the user language', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  const t = i18n.t.bind(i18n);

  it('says required, too long and not matching in Chinese', async () => {
    expect(await message(fieldRules(t, 'CustomerCreate', 'name'), '')).toBe('必填');
    expect(await message(fieldRules(t, 'CustomerCreate', 'name'), '名'.repeat(201))).toBe('最多 200 个字符');
    expect(await message(fieldRules(t, 'CustomerCreate', 'name'), '名'.repeat(200))).toBeNull();
    expect(await message(fieldRules(t, 'UserCreate', 'username'), 'ab')).toBe('至少 3 个字符');
    expect(await message(fieldRules(t, 'DepartmentCreate', 'key'), 'After-sales')).toBe('格式不正确');
    expect(await message(fieldRules(t, 'DepartmentCreate', 'key', { patternMessage: t('fieldError.keyFormat') }), 'After-sales')).toBe(
      '小写字母、数字和下划线，以字母开头，最多 40 个字符',
    );
    expect(await message(fieldRules(t, 'SlaPolicyCreate', 'update_minutes'), 0)).toBe('应在 1 到 86400 之间');
    expect(await message(fieldRules(t, 'CustomerCreate', 'credit_code', { required: true }), undefined)).toBe('必填');
  });

  it('counts characters as the server does and never refuses what it would take after cleaning', async () => {
    // An emoji is one character to Python, two UTF-16 units to JavaScript.
    expect(valueProblem(t, { maxLength: 2 }, '😀😀')).toBeNull();
    // Names are cleaned (trimmed, spaces collapsed, full width folded) before the length check.
    expect(valueProblem(t, { maxLength: 3 }, '  a  b ')).toBeNull();
    expect(cleanText(' Ａ\u200b  B ')).toBe('A B');
    expect(valueProblem(t, { maxLength: 3 }, 'abcd')).toBe('最多 3 个字符');
  });

  it('checks numbers, lists and their items', () => {
    expect(valueProblem(t, { exclusiveMinimum: 0 }, 0)).toBe('必须大于 0');
    expect(valueProblem(t, { minimum: 1 }, 0)).toBe('不能小于 1');
    expect(valueProblem(t, { maxItems: 2 }, [1, 2, 3])).toBe('最多 2 项');
    expect(valueProblem(t, requestRules.CustomFieldCreate.options, ['好', 'x'.repeat(101)])).toBe('最多 100 个字符');
    expect(valueProblem(t, requestRules.CustomerCreate.stage, 'unknown')).toBe('取值无效');
  });

  it('checks the credit code and ID number as the server does, in Chinese', async () => {
    expect(await message([creditCodeRule(t)], '91350100M000100Y44')).toBe('统一社会信用代码校验位不正确');
    expect(await message([creditCodeRule(t)], '91350100M000100Y4')).toBe('统一社会信用代码应为 18 位，当前 17 位');
    expect(await message([creditCodeRule(t)], '91350100m000100y43')).toBeNull();
    expect(await message([idNumberRule(t)], '11010519491231002Y')).toBe('身份证号应为 17 位数字加一位数字或 X');
    expect(await message([idNumberRule(t)], '110101190002290011')).toBe('身份证号中的出生日期无效');
    expect(await message([idNumberRule(t)], '11010519491231002x')).toBeNull();
  });

  it('speaks English to English readers', async () => {
    await i18n.changeLanguage('en');
    try {
      expect(await message([creditCodeRule(t)], '91350100M000100Y44')).toBe(
        'The check digit of the unified social credit code does not match',
      );
      expect(await message(fieldRules(t, 'TaskCreate', 'title'), '')).toBe('Required');
    } finally {
      await i18n.changeLanguage('zh-CN');
    }
  });
});

describe('the fields a change touched', () => {
  it('names nested custom fields by their path, and dates and lists as leaves', () => {
    expect(changedNames({ name: 'x' })).toEqual([['name']]);
    expect(changedNames({ custom_fields: { erp: 'SAP' } })).toEqual([['custom_fields', 'erp']]);
    expect(changedNames({ birthday: dayjs('2000-01-01'), tag_ids: [1, 2] })).toEqual([['birthday'], ['tag_ids']]);
  });
});
