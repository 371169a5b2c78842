// @vitest-environment jsdom
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Problem } from '../api/client';
import i18n from '../i18n';
import { formProblem, problemMessage, translateFieldError } from './problems';

function validation(errors: { field: string; message: string }[]): ApiError {
  const problem: Problem = {
    type: '/problems/validation',
    title: 'Validation',
    status: 422,
    code: 'validation',
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  };
  return new ApiError(422, problem);
}

describe('server field errors in the user language', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  const t = i18n.t.bind(i18n);

  it('says a wrong credit code check digit in Chinese', () => {
    expect(
      translateFieldError(t, 'credit_code', 'The last character (check digit) of the unified social credit code does not match.'),
    ).toBe('统一社会信用代码校验位不正确');
  });

  it('says a blank follow-up summary is required (a pydantic "Value error, required…")', () => {
    expect(translateFieldError(t, 'summary', 'Value error, required: say what happened (a short note such as "无" is fine)')).toBe('必填');
  });

  it('keeps the numbers the server put in its message', () => {
    expect(translateFieldError(t, 'id_number', 'A resident identity number has 18 characters, got 17.')).toBe(
      '身份证号应为 18 位，当前 17 位',
    );
  });

  it('maps settings errors too, with their bounds', () => {
    expect(translateFieldError(t, 'key', 'lower-case letters, digits and _, starting with a letter, ≤ 40')).toBe(
      '小写字母、数字和下划线，以字母开头，最多 40 个字符',
    );
    expect(translateFieldError(t, 'first_response_minutes', 'whole minutes from 1 to 525600')).toBe('应在 1 到 525600 之间');
  });

  it('never shows a Chinese reader an English message it does not know (issue 15)', () => {
    expect(translateFieldError(t, 'name', 'something new')).toBe('取值无效');
    expect(translateFieldError(t, 'name', '名称已被占用')).toBe('名称已被占用');
  });

  it('puts errors next to the form fields and the rest above the form', () => {
    const error = validation([
      { field: 'credit_code', message: 'The last character (check digit) of the unified social credit code does not match.' },
      { field: 'custom_fields.erp_system', message: 'required' },
      { field: 'owner_id', message: 'not allowed for your role' },
    ]);
    const result = formProblem(t, error, ['credit_code', 'custom_fields'], (f) => `[${f}]`);
    expect(result.fields).toEqual([
      { name: ['credit_code'], errors: ['统一社会信用代码校验位不正确'] },
      { name: ['custom_fields', 'erp_system'], errors: ['必填'] },
    ]);
    expect(result.general).toEqual(['[owner_id]: 您的角色不能设置此字段']);
  });

  it('says the API key form’s errors in Chinese, the scopes by their labels', () => {
    expect(translateFieldError(t, 'scopes', "beyond the owner's role: settings:admin, users:admin")).toBe(
      '超出代表用户角色的权限：管理系统设置、管理用户',
    );
    expect(translateFieldError(t, 'expires_at', 'must be in the future')).toBe('必须是将来的时间');
    expect(translateFieldError(t, 'owner_id', 'must be an active user')).toBe('必须是在职用户');
    expect(translateFieldError(t, 'grace_hours', 'between 0 and 168 hours')).toBe('应在 0 到 168 之间');
    expect(translateFieldError(t, 'scopes', 'List should have at least 1 item after validation, not 0')).toBe('至少 1 项');
    expect(translateFieldError(t, 'rate_limit_per_minute', 'Input should be greater than or equal to 1')).toBe('不能小于 1');
  });

  it('puts an error on an entry of a one-input list next to the list, naming the entry', () => {
    const error = validation([{ field: 'allowed_ips.1', message: 'not an IP address or network' }]);
    expect(formProblem(t, error, ['allowed_ips'], undefined, { allowed_ips: ['10.0.0.0/8', '10.0.0.300'] }).fields).toEqual([
      { name: ['allowed_ips'], errors: ['10.0.0.300：不是有效的 IP 地址或网段'] },
    ]);
    // Without being told it is one input, the error keeps its path (a Form.List's item).
    expect(formProblem(t, error, ['allowed_ips']).fields[0]?.name).toEqual(['allowed_ips', '1']);
  });

  it('turns a problem without field errors into one message by its code', () => {
    const stale = new ApiError(412, {
      type: '/problems/version-mismatch',
      title: 'Version mismatch',
      status: 412,
      code: 'version-mismatch',
      detail: 'The record has changed; its current version is 3.',
      errors: [],
    });
    expect(formProblem(t, stale, []).general).toEqual(['记录已被他人修改，请刷新后重试。']);
    expect(problemMessage(t, new TypeError('Failed to fetch'))).toBe('无法连接服务器，请稍后重试。');
  });

  it('recognises a conflict by its detail where the code is generic', () => {
    const conflict = new ApiError(409, {
      type: '/problems/conflict',
      title: 'Conflict',
      status: 409,
      code: 'conflict',
      detail: 'Assign the ticket to someone first (POST …/assign).',
      errors: [],
    });
    expect(problemMessage(t, conflict)).toBe('请先分派处理人。');
  });
});

describe('in English', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('says the same in English', () => {
    const t = i18n.t.bind(i18n);
    expect(
      translateFieldError(t, 'credit_code', 'The last character (check digit) of the unified social credit code does not match.'),
    ).toBe('The check digit of the unified social credit code does not match');
    expect(translateFieldError(t, 'email', 'The email address is not valid. It must have exactly one @-sign.')).toBe(
      'Not a valid e-mail address',
    );
  });
});
