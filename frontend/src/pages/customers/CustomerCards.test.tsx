// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import { CustomerCards } from './CustomerCards';

function customer(id: number, name: string, extra: object = {}) {
  return {
    id,
    name,
    code: `C20241000000${id}`,
    stage: 'intent',
    grade: null,
    owner_id: 1,
    last_contact_at: null,
    primary_contact: null,
    pool_days_left: null,
    ...extra,
  } as never;
}

describe('the customer cards (the list on a phone)', () => {
  it('call the primary contact in one tap and warn of the public pool', async () => {
    stubApi({ 'GET /api/v1/users': [{ id: 1, display_name: '李娜', username: 'lina', role: 'account_manager', is_active: true }] });
    renderAt(
      '/c',
      '/c',
      <CustomerCards
        customers={[
          customer(1, '华东机电', {
            primary_contact: { id: 5, name: '王经理', mobile: '+8613800138000', phone: null, email: null },
            pool_days_left: 3,
          }),
          customer(2, '西南物流', {
            primary_contact: { id: 6, name: '赵总', mobile: null, phone: '+861088886666', email: null },
            pool_days_left: 0,
          }),
          // a supervisor sees the number masked: shown, not dialled
          customer(3, '北方食品', { primary_contact: { id: 7, name: '钱工', mobile: '+86138****8000', phone: null, email: null } }),
          customer(4, '无联系人公司'),
        ]}
      />,
    );
    const cards = await screen.findAllByRole('listitem');
    const [first, second, third, fourth] = cards.map((card) => within(card));
    expect(first!.getByTestId('call-customer').getAttribute('href')).toBe('tel:+8613800138000');
    expect(first!.getByTestId('call-customer').textContent).toContain('138 0013 8000');
    expect(first!.getByText('王经理')).toBeTruthy();
    expect(first!.getByTestId('pool-warning-tag').textContent).toBe('3 天后将被收回公海');
    expect(second!.getByTestId('call-customer').getAttribute('href')).toBe('tel:+861088886666');
    expect(second!.getByTestId('pool-warning-tag').textContent).toBe('今天将被收回公海');
    expect(third!.queryByTestId('call-customer')).toBeNull();
    expect(third!.getByText('138 **** 8000')).toBeTruthy();
    expect(third!.queryByTestId('pool-warning-tag')).toBeNull();
    expect(fourth!.queryByText('无联系人公司')).toBeTruthy();
    expect(fourth!.queryByRole('link', { name: /\d{4}/ })).toBeNull();
  });
});
