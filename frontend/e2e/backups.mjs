// The backups page (admins): start a backup, see it complete with its size, download it.
import { join } from 'node:path';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

export async function backups({ browser, base, artifacts, password }) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  try {
    await page.goto(`${base}/admin/backups`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/admin/backups`);
    await page.getByText('暂无备份').waitFor();
    await page.getByRole('menuitem', { name: '备份' }).waitFor();
    await page.getByTestId('start-backup').click();
    await page.getByText('备份已开始').waitFor();
    const done = page.locator('.ant-table-row').filter({ hasText: '完成' });
    await done.waitFor(); // the list refreshes itself while a backup runs
    const name = (await done.locator('code').innerText()).trim();
    if (!/^crm-backup-\d{8}T\d{9}Z\.tar$/.test(name)) throw new Error(`backup listed as ${name}`);
    if (!/\d+(\.\d)? (KB|MB)/.test(await done.innerText())) throw new Error('no size shown');
    await page.screenshot({ path: join(artifacts, 'desktop-admin-backups.png') });
    // The button fetches the archive with the session's token and hands it to the browser.
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/download')),
      page.waitForEvent('download'),
      done.getByRole('button', { name: '下载' }).click(),
    ]);
    if (download.suggestedFilename() !== name) throw new Error(`saved as ${download.suggestedFilename()}`);
    if (response.status() !== 200) throw new Error(`download answered ${response.status()}`);
    if (!(response.headers()['content-disposition'] ?? '').includes(name)) throw new Error('not the listed file');
    if (Number(response.headers()['content-length']) < 1024) throw new Error('the archive is empty');
    const phone = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      storageState: await context.storageState(),
    });
    const mobile = await phone.newPage();
    await mobile.goto(`${base}/admin/backups`);
    await mobile.locator('.ant-table-row').filter({ hasText: '完成' }).waitFor();
    await mobile.screenshot({ path: join(artifacts, 'phone-admin-backups.png') });
    await phone.close();
  } catch (error) {
    await page.screenshot({ path: join(artifacts, 'failure-backups.png') }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
