// Why an uploaded file was refused, in the user's language. The server explains a bad file in
// English (an empty file, an old .xls, too many rows…); each known case has its own sentence
// here, anything else falls back to the general problem message.
import type { TFunction } from 'i18next';
import { ApiError } from '../../api/client';
import { problemMessage } from '../../lib/problems';

type Rule = [RegExp, (t: TFunction, m: RegExpMatchArray) => string];

const RULES: Rule[] = [
  [/^the file is empty$/, (t) => t('imports.fileProblem.empty')],
  [/^every sheet is empty$|^sheet .+ is empty$/, (t) => t('imports.fileProblem.emptySheet')],
  [/^sheet .+ has a header but no rows$/, (t) => t('imports.fileProblem.noRows')],
  [/^more than (\d+) rows/, (t, m) => t('imports.fileProblem.tooManyRows', { max: m[1] })],
  [/^more than (\d+) columns/, (t, m) => t('imports.fileProblem.tooManyColumns', { max: m[1] })],
  [/unpacks to more than (\d+) MB/, (t, m) => t('imports.fileProblem.unpacksTooBig', { mb: m[1] })],
  [/^no column (maps to|names) the customer/, (t) => t('imports.fileProblem.noCustomerColumn')],
  [/^no sheet (.+?);/, (t, m) => t('imports.fileProblem.noSuchSheet', { sheet: m[1] })],
  [/cannot be read/, (t) => t('imports.fileProblem.unreadable')],
  [/^too many customers this month$/, (t) => t('imports.fileProblem.tooManyThisMonth')],
  [/old \.xls workbook/, (t) => t('imports.fileProblem.oldXls')],
  [/taking more memory|took more memory/, (t) => t('imports.fileProblem.unreadable')],
  [/damaged|not an Excel workbook|neither an Excel workbook/, (t) => t('imports.fileProblem.notSpreadsheet')],
];

export function uploadProblem(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    const problem = error.problem;
    if (problem?.code === 'too-large') return t('imports.fileProblem.tooLarge');
    const texts = [...(problem?.errors ?? []).map((e) => e.message), problem?.detail ?? ''];
    for (const text of texts) {
      for (const [pattern, render] of RULES) {
        const match = text.match(pattern);
        if (match) return render(t, match);
      }
    }
  }
  return problemMessage(t, error);
}
