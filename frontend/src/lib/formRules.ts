// antd Form rules from the OpenAPI schema's (api/rules.gen.ts) and the server's check digits
// (identifiers.ts), with messages in the user's language. They catch what the server would
// refuse before the round trip, and never refuse what it takes: the server still decides.
import type { FormInstance, FormRule } from 'antd';
import type { TFunction } from 'i18next';
import { requestRules, type FieldRule } from '../api/rules.gen';
import { creditCodeProblem, idNumberProblem, type CodeProblem } from './identifiers';

export type RequestSchema = keyof typeof requestRules;
export type RequestField<S extends RequestSchema> = keyof (typeof requestRules)[S] & string;

interface Options {
  /** Required although the schema may leave it out: a rule of the domain (a customer's credit code). */
  required?: boolean;
  /** Not required although the schema says so: the field's group is optional as a whole (a new
   *  customer's primary contact needs a name only when it is given). */
  optional?: boolean;
  /** Only spaces count as empty: the server strips the text before its checks (a task's title). */
  notBlank?: boolean;
  /** The message when the text does not match the schema's pattern (default fieldError.pattern). */
  patternMessage?: string;
}

/** The rules of `field` in the request body `schema`. */
export function fieldRules<S extends RequestSchema>(t: TFunction, schema: S, field: RequestField<S>, options: Options = {}): FormRule[] {
  const fields: Record<string, FieldRule> = requestRules[schema];
  const rule = fields[field] ?? {};
  const rules: FormRule[] = [];
  if ((rule.required && !options.optional) || options.required) {
    // Only `required` (and a message) lets antd check by the value's type: a date, a list, a number.
    const message = t('fieldError.required');
    rules.push(options.notBlank ? { required: true, whitespace: true, message } : { required: true, message });
  }
  rules.push({
    validator: async (_, value: unknown) => {
      const problem = valueProblem(t, rule, value, options.patternMessage);
      if (problem) throw new Error(problem);
    },
  });
  return rules;
}

/** What is wrong with a value by `rule`, in the user's language; null when nothing is. Empty
 *  values pass: `required` is a rule of its own. */
export function valueProblem(t: TFunction, rule: FieldRule, value: unknown, patternMessage?: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (rule.enum && (typeof value === 'string' || typeof value === 'number') && !rule.enum.includes(value)) {
    return t('fieldError.invalidValue');
  }
  if (typeof value === 'string') return textProblem(t, rule, value, patternMessage);
  if (typeof value === 'number') return numberProblem(t, rule, value);
  if (Array.isArray(value)) {
    if (rule.maxItems !== undefined && value.length > rule.maxItems) return t('fieldError.tooMany', { max: rule.maxItems });
    if (rule.minItems !== undefined && value.length < rule.minItems) return t('fieldError.tooFew', { min: rule.minItems });
    const items = rule.items;
    if (items) return value.map((item) => valueProblem(t, items, item, patternMessage)).find((p) => p !== null) ?? null;
  }
  return null;
}

// Names, titles and tags are cleaned by the server before their lengths are checked (api/schemas.py
// `Cleaned`, domain/text.py): NFKC, invisible characters dropped, whitespace collapsed and trimmed.
// A text passes a check when it passes as typed or as cleaned.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- the server's list of code points, each one on purpose
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]/g;

export function cleanText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

function textProblem(t: TFunction, rule: FieldRule, text: string, patternMessage?: string): string | null {
  const forms = [text, cleanText(text)];
  const length = (s: string) => [...s].length; // code points, as Python's len()
  const { maxLength, minLength, pattern } = rule;
  if (maxLength !== undefined && forms.every((s) => length(s) > maxLength)) return t('fieldError.tooLong', { max: maxLength });
  if (minLength !== undefined && forms.every((s) => length(s) < minLength)) return t('fieldError.tooShort', { min: minLength });
  if (pattern !== undefined && !forms.some((s) => new RegExp(pattern).test(s))) return patternMessage ?? t('fieldError.pattern');
  return null;
}

function numberProblem(t: TFunction, rule: FieldRule, n: number): string | null {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = rule;
  if ((minimum !== undefined && n < minimum) || (maximum !== undefined && n > maximum)) {
    if (minimum !== undefined && maximum !== undefined) return t('fieldError.range', { min: minimum, max: maximum });
    return minimum !== undefined ? t('fieldError.min', { min: minimum }) : t('fieldError.max', { max: maximum });
  }
  if (exclusiveMinimum !== undefined && n <= exclusiveMinimum) return t('fieldError.greaterThan', { min: exclusiveMinimum });
  if (exclusiveMaximum !== undefined && n >= exclusiveMaximum) return t('fieldError.lessThan', { max: exclusiveMaximum });
  return null;
}

function codeRule(t: TFunction, check: (value: string) => CodeProblem | null): FormRule {
  return {
    validator: async (_, value: unknown) => {
      const problem = typeof value === 'string' && value.trim() ? check(value) : null;
      if (problem) throw new Error(t(`fieldError.${problem.key}`, problem));
    },
  };
}

/** The unified social credit code's length, alphabet and check digit (GB 32100-2015). */
export const creditCodeRule = (t: TFunction) => codeRule(t, creditCodeProblem);

/** The resident identity number's length, digits, check digit and birth date (GB 11643). */
export const idNumberRule = (t: TFunction) => codeRule(t, idNumberProblem);

/** The names of the leaves in a Form's `onValuesChange` changes: `{custom_fields: {erp: 1}}`
 *  is `['custom_fields', 'erp']`. Dates (dayjs) and lists are leaves. */
export function changedNames(changed: object, prefix: string[] = []): string[][] {
  return Object.entries(changed).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
      ? changedNames(value as object, [...prefix, key])
      : [[...prefix, key]],
  );
}

/**
 * Clear the errors of the fields the user just changed; a Form's `onValuesChange`. antd checks a
 * changed field again only when it has rules, so a server error put on a field without rules
 * (`form.setFields`) would otherwise stay after the user fixed the value.
 */
export function clearChangedErrors(form: FormInstance, changed: object): void {
  form.setFields(changedNames(changed).map((name) => ({ name, errors: [] })));
}
