// The server's checks of the unified social credit code and the resident identity number
// (domain/validation.py), step for step, so a form says what is wrong before the round trip.
// A code the server takes must pass here: same clean-up, same order of checks.

/** What is wrong with a code, as a fieldError.* key (and the length for the length keys). */
export type CodeProblem =
  | { key: 'creditCodeLength' | 'idNumberLength'; got: number }
  | { key: 'creditCodeFormat' | 'creditCodeCheckDigit' | 'idNumberFormat' | 'idNumberCheckDigit' | 'idNumberDate' };

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]; // 3**i mod 31
const REGISTRATION_AUTHORITIES = '123456789ANY';
const RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]; // 2**(17-i) mod 11
const RIC_CHECK = '10X98765432';

// Python's str.split() also splits on \x1c-\x1f and \x85, which \s leaves alone.
// eslint-disable-next-line no-control-regex -- those separators are control characters
const PYTHON_WHITESPACE = /[\s\x1c-\x1f\x85]+/g;

/** A code as the server stores it: NFKC (full-width input), no whitespace, upper case. */
export function compact(value: string): string {
  return value.normalize('NFKC').replace(PYTHON_WHITESPACE, '').toUpperCase();
}

/** The 18th character of a credit code from its first 17 (GB 32100-2015, mod 31). */
export function creditCodeCheckDigit(code: string): string {
  const total = USCC_WEIGHTS.reduce((sum, w, i) => sum + USCC_ALPHABET.indexOf(code.charAt(i)) * w, 0);
  return USCC_ALPHABET.charAt((31 - (total % 31)) % 31);
}

/** The 18th character of an ID number from its first 17 digits (GB 11643, ISO 7064 MOD 11-2). */
export function idNumberCheckDigit(number: string): string {
  const total = RIC_WEIGHTS.reduce((sum, w, i) => sum + Number(number.charAt(i)) * w, 0);
  return RIC_CHECK.charAt(total % 11);
}

export function creditCodeProblem(value: string): CodeProblem | null {
  const code = compact(value);
  const length = [...code].length; // code points, as Python's len()
  if (length !== 18) return { key: 'creditCodeLength', got: length };
  if (
    ![...code].every((c) => USCC_ALPHABET.includes(c)) ||
    !REGISTRATION_AUTHORITIES.includes(code.charAt(0)) ||
    !/^[0-9]{6}$/.test(code.slice(2, 8))
  ) {
    return { key: 'creditCodeFormat' };
  }
  if (code.charAt(17) !== creditCodeCheckDigit(code)) return { key: 'creditCodeCheckDigit' };
  return null;
}

export function idNumberProblem(value: string): CodeProblem | null {
  const number = compact(value);
  const length = [...number].length;
  if (length !== 18) return { key: 'idNumberLength', got: length };
  if (!/^[0-9]{17}[0-9X]$/.test(number)) return { key: 'idNumberFormat' };
  if (number.charAt(17) !== idNumberCheckDigit(number)) return { key: 'idNumberCheckDigit' };
  const [year, month, day] = [number.slice(6, 10), number.slice(10, 12), number.slice(12, 14)].map(Number);
  if (!realDate(year ?? 0, month ?? 0, day ?? 0)) return { key: 'idNumberDate' };
  return null;
}

/** A date Python's datetime.date takes: years 1-9999 of the proleptic Gregorian calendar. */
function realDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}
