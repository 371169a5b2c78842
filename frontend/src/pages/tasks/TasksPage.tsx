import { useTranslation } from 'react-i18next';
import { PageCard } from '../../components/PageCard';
import { TaskList } from './TaskList';

/** 我的任务: what the jobs asked of me (activation plans, checks) and what people gave me. */
export default function TasksPage() {
  const { t } = useTranslation();
  return (
    <PageCard title={t('tasks.title')}>
      <TaskList />
    </PageCard>
  );
}
