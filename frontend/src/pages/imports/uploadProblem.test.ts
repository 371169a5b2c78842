// @vitest-environment jsdom
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Problem } from '../../api/client';
import i18n from '../../i18n';
import { uploadProblem } from './uploadProblem';

function refused(status: number, code: string, detail: string, errors: { field: string; message: string }[] = []) {
  const problem: Problem = { type: `/problems/${code}`, title: code, status, code, detail, errors };
  return new ApiError(status, problem);
}

function fileError(message: string) {
  return refused(422, 'validation', `file: ${message}`, [{ field: 'file', message }]);
}

describe('why an upload was refused, in Chinese', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  const t = i18n.t.bind(i18n);

  it('names each bad file the server describes, keeping its numbers', () => {
    expect(uploadProblem(t, fileError('the file is empty'))).toBe('文件是空的。');
    expect(uploadProblem(t, fileError('more than 200000 rows; split the file'))).toBe('超过 200000 行：请拆分成几个文件分别导入。');
    expect(uploadProblem(t, fileError('the workbook unpacks to more than 1024 MB; split it into smaller files'))).toBe(
      '这个工作簿解压后超过 1024 MB：请拆分成几个文件。',
    );
    expect(uploadProblem(t, fileError("no column maps to the customer name; use the template's headers or map one"))).toContain(
      '没有一列能对应到客户',
    );
  });

  it('tells an old .xls from a file that is no spreadsheet, and a too large one', () => {
    expect(
      uploadProblem(
        t,
        refused(415, 'unsupported-type', 'This is an old .xls workbook: save it as .xlsx (Excel 2007 or later) or .csv and upload that.'),
      ),
    ).toContain('旧版 .xls');
    expect(uploadProblem(t, refused(415, 'unsupported-type', 'The file is a zip archive but not an Excel workbook (.xlsx).'))).toBe(
      '这不是 Excel 工作簿（.xlsx）或 CSV 文本（UTF-8 或 GBK）。',
    );
    expect(uploadProblem(t, refused(413, 'too-large', 'The upload is larger than 52428800 bytes.'))).toBe(
      '文件过大（最多 50 MB）：请拆分成几个文件。',
    );
  });

  it('falls back to the general message, never to English', () => {
    const text = uploadProblem(t, fileError('something nobody foresaw'));
    expect(text).not.toMatch(/something/);
  });
});
