// The server's problems (RFC 9457) in the user's language. Field messages arrive in English;
// the known ones map to our dictionary by pattern, anything else is shown as the server wrote it.
import type { TFunction } from 'i18next';
import { ApiError, type Problem } from '../api/client';
import i18n from '../i18n';
import { scopeLabel } from './apiKeys';
import { formatDateTime } from './time';

type Rule = [RegExp, (t: TFunction, m: RegExpMatchArray, field: string) => string];

const RULES: Rule[] = [
  [/^(Value error, )?(required|cannot be empty|Field required)\b/i, (t) => t('fieldError.required')],
  [/String should have at least 1 character/, (t) => t('fieldError.required')],
  [/String should have at most (\d+) characters?/, (t, m) => t('fieldError.tooLong', { max: m[1] })],
  [/^at most (\d+) characters$/, (t, m) => t('fieldError.tooLong', { max: m[1] })], // a custom text field
  [/at least (\d+) characters/, (t, m) => t('fieldError.tooShort', { min: m[1] })],
  [/unified social credit code has 18 characters, got (\d+)/, (t, m) => t('fieldError.creditCodeLength', { got: m[1] })],
  [/unified social credit code is a registration authority/, (t) => t('fieldError.creditCodeFormat')],
  [/check digit\) of the unified social credit code/, (t) => t('fieldError.creditCodeCheckDigit')],
  [/resident identity number has 18 characters, got (\d+)/, (t, m) => t('fieldError.idNumberLength', { got: m[1] })],
  [/resident identity number is 17 digits/, (t) => t('fieldError.idNumberFormat')],
  [/check digit\) of the resident identity number/, (t) => t('fieldError.idNumberCheckDigit')],
  [/resident identity number are not a real date/, (t) => t('fieldError.idNumberDate')],
  [/^ID number says (.+)$/, (t, m) => t('fieldError.idNumberSays', { value: m[1] })],
  [/phone number/, (t) => t('fieldError.phone')],
  [/^not a field of an? \w+ customer$/, (t) => t('fieldError.notForKind')],
  [/^cannot change after creation$/, (t) => t('fieldError.immutable')],
  [/^not allowed for your role$/, (t) => t('fieldError.notAllowed')],
  [/^Another customer already has this/, (t) => t('fieldError.duplicateCustomer')],
  [/exists|is taken/, (t) => t('fieldError.duplicate')],
  [/^(section|division|unknown industry|not a GB\/T 4754)/i, (t) => t('fieldError.unknownIndustry')],
  [/^only complaints have this$/, (t) => t('fieldError.complaintOnly')],
  [/^not a contact of this customer$/, (t) => t('fieldError.notCustomersContact')],
  [/^must be an active account manager or admin$/, (t) => t('fieldError.ownerInvalid')],
  [/^closing takes the satisfaction survey$/, (t) => t('fieldError.satisfactionRequired')],
  [/^unknown custom field$/, (t) => t('fieldError.unknownCustomField')],
  [/^mark another contact primary instead$/, (t) => t('fieldError.primaryContact')],
  [/^lower-case letters, digits and _/, (t) => t('fieldError.keyFormat')],
  [/^3–64 letters, digits/, (t) => t('fieldError.usernameFormat')],
  [/^must not be only spaces$/, (t) => t('profile.blank')], // a password
  [/^must not be the username$/, (t) => t('profile.sameAsUsername')],
  [/too common; choose another$/, (t) => t('profile.common')],
  [/^an enum field needs at least one option$/, (t) => t('fieldError.optionsNeeded')],
  [/^only enum fields have options$/, (t) => t('fieldError.optionsNotAllowed')],
  [/^duplicate option$/, (t) => t('fieldError.optionsDuplicate')],
  [/^not an IANA time zone/, (t) => t('fieldError.timezone')],
  [/^must be after opens$/, (t) => t('fieldError.closesAfterOpens')],
  [/minutes from (\d+) to (\d+)$|^from (\d+) to (\d+)$/, (t, m) => t('fieldError.range', { min: m[1] ?? m[3], max: m[2] ?? m[4] })],
  [/^unknown (user|department)/, (t) => t('fieldError.unknownReference')],
  [/^unknown tag ids/, (t) => t('fieldError.unknownReference')],
  [/^cannot be in the future$/, (t) => t('fieldError.future')],
  [/^cannot merge a tag into itself$/, (t) => t('fieldError.mergeIntoItself')],
  [/^must be an active user who works/, (t) => t('fieldError.assigneeInvalid')],
  [
    /^beyond the owner's role: (.+)$/,
    (t, m) =>
      t('fieldError.beyondOwnerRole', {
        scopes: (m[1] ?? '')
          .split(', ')
          .map((s) => scopeLabel(t, s))
          .join(t('apiKeys.joiner')),
      }),
  ],
  [/^must be an http\(s\) URL with a host$/, (t) => t('fieldError.webhookUrl')],
  [/^bad port$/, (t) => t('fieldError.badPort')],
  [/^the host does not resolve$/, (t) => t('fieldError.hostUnresolved')],
  [/^resolves to a private or reserved address$/, (t) => t('fieldError.privateAddress')],
  [/^at least one event type$/, (t) => t('fieldError.tooFew', { min: 1 })],
  [/^not an IP address or network$/, (t) => t('fieldError.ipNetwork')],
  [/^must be in the future$/, (t) => t('fieldError.mustBeFuture')],
  [/^must be an active user$/, (t) => t('fieldError.activeUser')],
  [/^at least one scope$/, (t) => t('fieldError.tooFew', { min: 1 })],
  [/^at most (\d+) entries$/, (t, m) => t('fieldError.tooMany', { max: m[1] })],
  [/^between (\d+) and (\d+) hours$/, (t, m) => t('fieldError.range', { min: m[1], max: m[2] })],
  [/^List should have at least (\d+) items?/, (t, m) => t('fieldError.tooFew', { min: m[1] })],
  [/^List should have at most (\d+) items?/, (t, m) => t('fieldError.tooMany', { max: m[1] })],
  [/^Input should be greater than or equal to (-?[\d.]+)$/, (t, m) => t('fieldError.min', { min: m[1] })],
  [/^Input should be less than or equal to (-?[\d.]+)$/, (t, m) => t('fieldError.max', { max: m[1] })],
  [/^(Input should be|must be |one of )/, (t) => t('fieldError.invalidValue')],
];

/** One field error of the server in the user's language. */
export function translateFieldError(t: TFunction, field: string, message: string): string {
  if (field === 'email' || field.endsWith('.email')) {
    if (!/^(required|cannot be empty)/.test(message)) return t('fieldError.email');
  }
  for (const [pattern, render] of RULES) {
    const match = message.match(pattern);
    if (match) return render(t, match, field);
  }
  // A message we do not know stays in English only for English readers.
  return untranslatable(message) ? t('fieldError.invalidValue') : message;
}

/** Server text a Chinese reader should not get as it is: English only, no CJK in it. */
function untranslatable(text: string): boolean {
  return i18n.language !== 'en' && !/[\u3400-\u9fff]/.test(text);
}

export interface FormProblem {
  /** Errors to show next to the form's fields (antd `setFields`). */
  fields: { name: (string | number)[]; errors: string[] }[];
  /** Everything else, to show above the form. */
  general: string[];
}

/**
 * Split a failed write into errors next to the form's fields and general ones.
 * `formFields` are the top-level field names the form shows; `custom_fields.erp` goes next to
 * the `custom_fields`→`erp` field when the form shows `custom_fields`. `lists` are the values
 * sent for fields whose whole list is one input (a tags select): `allowed_ips.2` goes next to
 * `allowed_ips`, naming the third entry.
 */
export function formProblem(
  t: TFunction,
  error: unknown,
  formFields: readonly string[],
  label: (field: string) => string = (field) => field,
  lists: Readonly<Record<string, readonly unknown[] | null | undefined>> = {},
): FormProblem {
  const out: FormProblem = { fields: [], general: [] };
  const problem = error instanceof ApiError ? error.problem : null;
  const errors = problem?.errors ?? [];
  for (const { field, message } of errors) {
    let name = field.split('.');
    let text = translateFieldError(t, field, message);
    const [head = '', index] = name;
    if (head in lists && index !== undefined && /^\d+$/.test(index)) {
      name = [head];
      text = t('fieldError.item', { item: String(lists[head]?.[Number(index)] ?? Number(index) + 1), error: text });
    }
    if (formFields.includes(name[0] ?? '')) {
      const existing = out.fields.find((f) => f.name.join('.') === name.join('.'));
      if (existing) existing.errors.push(text);
      else out.fields.push({ name, errors: [text] });
    } else {
      out.general.push(`${label(field)}: ${text}`);
    }
  }
  if (errors.length === 0) out.general.push(problemMessage(t, error));
  return out;
}

const DETAILS: [RegExp, (t: TFunction) => string][] = [
  [/^Assign the ticket to someone first/, (t) => t('problem.assignFirst')],
  [/closes only with the customer's acceptance/, (t) => t('problem.acceptanceRequired')],
  [/^The tag is on customers/, (t) => t('problem.tagInUse')],
  [/^Customers hold values for this field/, (t) => t('problem.fieldInUse')],
  [/^This is the last active admin/, (t) => t('problem.lastAdmin')],
  [/^Only an active key can be rotated/, (t) => t('problem.keyNotActive')],
];

const PROBLEM_BLOCKS = ['pool.problem'];

function problemParams(problem: Problem | null): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(problem ?? {})) {
    if (typeof value === 'number') params[key] = String(value);
    else if (typeof value === 'string') {
      params[key] = /^\d{4}-\d{2}-\d{2}T/.test(value) ? formatDateTime(value) : value;
    }
  }
  return params;
}

/** A one-line message for a failed call, in the user's language where we know the code. */
export function problemMessage(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('problem.network');
  const problem: Problem | null = error.problem;
  const code = problem?.code;
  const known = DETAILS.find(([pattern]) => pattern.test(problem?.detail ?? ''));
  if (known) return known[1](t);
  if (code === 'conflict') {
    return untranslatable(problem?.detail ?? '') ? t('serverText.conflict') : t('problem.conflict', { detail: problem?.detail ?? '' });
  }
  // Feature blocks carry their own codes, with the problem's extensions as parameters
  // (times among them shown in the configured zone).
  for (const block of PROBLEM_BLOCKS) {
    const blockKey = `${block}.${code}`;
    if (code && t(blockKey as 'problem.generic', { defaultValue: '' })) {
      return String(t(blockKey as 'problem.generic', { ...problemParams(problem), detail: problem?.detail ?? '' }));
    }
  }
  const key = `problem.${code}`;
  if (code && t(key as 'problem.generic', { defaultValue: '' })) return t(key as 'problem.generic');
  const detail = problem?.detail ?? `HTTP ${error.status}`;
  return untranslatable(detail) ? t('serverText.failed', { status: error.status }) : t('problem.generic', { detail });
}
