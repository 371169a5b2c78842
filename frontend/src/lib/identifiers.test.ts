import { describe, expect, it } from 'vitest';
import { creditCodeCheckDigit, creditCodeProblem, idNumberCheckDigit, idNumberProblem } from './identifiers';

// Codes the server's tests (tests/) take or refuse, and what domain/validation.py says of them.
const VALID_CREDIT_CODES = [
  '91110000600037341L',
  '914403001922038216',
  '91440300708461136T',
  '91330100799655058B',
  '12100000400000624D',
  '91350100M000100Y43',
  '92440300L12345678R',
  '91320100MA1XYE0Q0F',
];
const VALID_ID_NUMBERS = ['11010519491231002X', '440304198506151237', '320102199911084561', '110101200002290018', '110101199003070011'];

describe('the unified social credit code', () => {
  it.each(VALID_CREDIT_CODES)('takes %s', (code) => {
    expect(creditCodeProblem(code)).toBeNull();
  });

  it('takes what the server cleans up: lower case, spaces, full-width characters', () => {
    expect(creditCodeProblem('9111 0000 6000 3734 1l')).toBeNull();
    expect(creditCodeProblem('９１１１００００６０００３７３４１Ｌ')).toBeNull();
  });

  it('refuses every other check digit', () => {
    for (const code of VALID_CREDIT_CODES) {
      const wrong = [...'0123456789ABCDEFGHJKLMNPQRTUWXY'].filter((c) => c !== code.at(-1));
      for (const c of wrong) expect(creditCodeProblem(code.slice(0, 17) + c)).toEqual({ key: 'creditCodeCheckDigit' });
    }
    expect(creditCodeProblem('91110000600037341M')).toEqual({ key: 'creditCodeCheckDigit' });
  });

  it('says the length, and refuses letters outside the alphabet, a bad authority or a region with letters', () => {
    expect(creditCodeProblem('9111000060003734')).toEqual({ key: 'creditCodeLength', got: 16 });
    expect(creditCodeProblem('91110000600037341LL')).toEqual({ key: 'creditCodeLength', got: 19 });
    expect(creditCodeProblem('9111000060003734IL')).toEqual({ key: 'creditCodeFormat' }); // I is not in it
    expect(creditCodeProblem('B1110000600037341L')).toEqual({ key: 'creditCodeFormat' });
    expect(creditCodeProblem('9111A000600037341L')).toEqual({ key: 'creditCodeFormat' });
  });

  it('computes the check digit of GB 32100 (a code built here passes, a changed character fails)', () => {
    const body = 'Y1350100MA1XYE0Q0';
    const code = body + creditCodeCheckDigit(body);
    expect(creditCodeProblem(code)).toBeNull();
    expect(creditCodeProblem(`Y2${code.slice(2)}`)).toEqual({ key: 'creditCodeCheckDigit' });
  });
});

describe('the resident identity number', () => {
  it.each(VALID_ID_NUMBERS)('takes %s', (number) => {
    expect(idNumberProblem(number)).toBeNull();
  });

  it('takes a lower-case x, spaces and full-width digits as the server does', () => {
    expect(idNumberProblem('110105 19491231 002x')).toBeNull();
    expect(idNumberProblem('１１０１０５１９４９１２３１００２Ｘ')).toBeNull();
  });

  it('refuses every other check digit', () => {
    for (const number of VALID_ID_NUMBERS) {
      for (const c of [...'0123456789X'].filter((x) => x !== number.at(-1))) {
        expect(idNumberProblem(number.slice(0, 17) + c)).toEqual({ key: 'idNumberCheckDigit' });
      }
    }
    expect(idNumberProblem('440304198506151238')).toEqual({ key: 'idNumberCheckDigit' });
  });

  it('says the length and refuses letters', () => {
    expect(idNumberProblem('11010519491231002')).toEqual({ key: 'idNumberLength', got: 17 });
    expect(idNumberProblem('11010519491231A02X')).toEqual({ key: 'idNumberFormat' });
    expect(idNumberProblem('1101051949123100XX')).toEqual({ key: 'idNumberFormat' });
  });

  it('wants a real birth date once the check digit matches (29 February only in leap years)', () => {
    const withDigit = (body: string) => body + idNumberCheckDigit(body);
    expect(idNumberProblem(withDigit('11010120000229001'))).toBeNull(); // 2000 is a leap year
    expect(idNumberProblem(withDigit('11010120010229001'))).toEqual({ key: 'idNumberDate' });
    expect(idNumberProblem(withDigit('11010119000229001'))).toEqual({ key: 'idNumberDate' }); // 1900 is not
    expect(idNumberProblem(withDigit('11010119991301001'))).toEqual({ key: 'idNumberDate' });
    expect(idNumberProblem(withDigit('11010100000101001'))).toEqual({ key: 'idNumberDate' }); // year 0
    expect(idNumberProblem('110101190002290011')).toEqual({ key: 'idNumberDate' }); // refused by the server's tests
  });
});
