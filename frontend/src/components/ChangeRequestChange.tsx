import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { useUserName } from '../queries/users';

/** A change request's "old → new": owners by name, values masked when the API masked them. */
export function ChangeRequestChange({ request }: { request: Schemas['ChangeRequestOut'] }) {
  const { t } = useTranslation();
  const userName = useUserName();
  if (request.field === 'owner_id') {
    return (
      <>
        {userName(request.old_value as number | null)} → {userName(request.new_value as number | null)}
      </>
    );
  }
  const value = (v: unknown) => (request.masked_fields.length ? t('common.masked') : v == null ? '∅' : String(v));
  return (
    <>
      {value(request.old_value)} → {value(request.new_value)}
    </>
  );
}
