import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { useUserName } from '../queries/users';

/** A change request's "old → new" as text: owners by name, values masked when the API masked
 *  them. For places outside the query provider (a `modal.info`), with the caller's names. */
export function changeRequestText(
  request: Schemas['ChangeRequestOut'],
  t: TFunction,
  userName: (id: number | null | undefined) => string,
): string {
  const value = (v: unknown) =>
    request.field === 'owner_id'
      ? userName(v as number | null)
      : request.masked_fields.length
        ? t('common.masked')
        : v == null
          ? '∅'
          : String(v);
  return `${value(request.old_value)} → ${value(request.new_value)}`;
}

/** A change request's "old → new": owners by name, values masked when the API masked them. */
export function ChangeRequestChange({ request }: { request: Schemas['ChangeRequestOut'] }) {
  const { t } = useTranslation();
  const userName = useUserName();
  return <>{changeRequestText(request, t, userName)}</>;
}
