import { PhoneOutlined } from '@ant-design/icons';
import { formatPhone, telHref } from '../lib/format';

/** A number to tap and call (`tel:`), in its national grouping; a masked one is only shown,
 *  since it cannot be dialled. */
export function CallLink({ phone, testId }: { phone: string; testId?: string }) {
  const href = telHref(phone);
  if (!href) return <span>{formatPhone(phone)}</span>;
  return (
    <a href={href} data-testid={testId} style={{ whiteSpace: 'nowrap' }}>
      <PhoneOutlined /> {formatPhone(phone)}
    </a>
  );
}
