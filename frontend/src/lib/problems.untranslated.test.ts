// @vitest-environment jsdom
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Problem } from '../api/client';
import i18n from '../i18n';
import { problemMessage, translateFieldError } from './problems';

const problem = (code: string, detail: string, status = 409): ApiError =>
  new ApiError(status, { type: `/problems/${code}`, title: code, status, code, detail } as Problem);

describe('no English server text reaches a Chinese reader', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  afterAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  const t = i18n.t.bind(i18n);

  it('maps an unknown field message and an unknown problem to Chinese, keeping a known one', () => {
    expect(translateFieldError(t, 'budget_max', 'budget_max must not be below budget_min')).toBe('取值无效');
    expect(problemMessage(t, problem('something-new', 'The frobnicator refused.'))).toBe('操作未能完成（错误 409），请检查后重试。');
    expect(problemMessage(t, problem('conflict', 'Stage is final.'))).toBe('操作与当前数据冲突，请刷新后重试。');
    expect(
      problemMessage(
        t,
        new ApiError(409, {
          type: '/problems/claim-limit',
          title: 'x',
          status: 409,
          code: 'claim-limit',
          detail: 'You already own 3 customers; the limit is 3.',
          owned: 3,
          limit: 3,
        } as unknown as Problem),
      ),
    ).toBe('您已拥有 3 个客户，达到领取上限 3 个。');
  });

  it('keeps the server’s words for English readers', async () => {
    await i18n.changeLanguage('en');
    expect(translateFieldError(t, 'budget_max', 'budget_max must not be below budget_min')).toBe('budget_max must not be below budget_min');
    expect(problemMessage(t, problem('something-new', 'The frobnicator refused.'))).toContain('The frobnicator refused.');
  });
});
