import { describe, expect, it } from 'vitest';
import { formatMoney, formatPhone, telHref } from './format';

describe('formatting for people', () => {
  it('groups Chinese mobiles and landlines, keeps masks, and leaves other text alone', () => {
    expect(formatPhone('+8613800138000')).toBe('138 0013 8000');
    expect(formatPhone('+86138****5678')).toBe('138 **** 5678');
    expect(formatPhone('+861088886666')).toBe('010 8888 6666');
    expect(formatPhone('+8657188886666')).toBe('0571 8888 6666');
    expect(formatPhone('+16502530000')).toBe('+1 650253 0000');
    expect(formatPhone('ext. 12')).toBe('ext. 12');
    expect(formatPhone(null)).toBe('—');
    expect(telHref('+86138****5678')).toBeUndefined();
    expect(telHref('+8613800138000')).toBe('tel:+8613800138000');
  });

  it('writes amounts as ¥50,000.00 without float rounding', () => {
    expect(formatMoney('50000')).toBe('¥50,000.00');
    expect(formatMoney('12800.5')).toBe('¥12,800.50');
    expect(formatMoney('98765432109876.54')).toBe('¥98,765,432,109,876.54');
    expect(formatMoney(null)).toBe('—');
  });
});
