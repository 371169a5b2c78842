// Import and export in the browser: a file with one bad row is checked, its error report
// downloaded, the row fixed, the file imported and the import reverted; a list exported.
import { join } from 'node:path';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 30_000;
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A unified social credit code with its GB 32100 check character. */
export function creditCode(serial) {
  const body = `91330100${String(serial).padStart(9, '0')}`;
  const sum = [...body].reduce((acc, ch, i) => acc + ALPHABET.indexOf(ch) * WEIGHTS[i], 0);
  return body + ALPHABET[(31 - (sum % 31)) % 31];
}

function csv(rows) {
  const header = '客户名称,统一社会信用代码,客户阶段,联系人,手机';
  return Buffer.from([header, ...rows.map((r) => r.join(','))].join('\n'), 'utf8');
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function login(page, base, password) {
  await page.goto(`${base}/imports`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${base}/imports`);
}

async function choose(page, name, data) {
  await page.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: data });
  await page.getByTestId('import-filename').filter({ hasText: name }).waitFor();
}

export async function importScenario({ browser, base, artifacts, password, shot }) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const stamp = Date.now() % 1_000_000_000;
  const good = [`浏览器导入${stamp}甲公司`, creditCode(stamp), '意向', '周一', '13911112222'];
  const bad = [`浏览器导入${stamp}乙公司`, creditCode(stamp + 1), '潜在', '吴二', '12345'];
  try {
    await login(page, base, password);
    await page.getByRole('heading', { name: '导入数据' }).waitFor();
    await choose(page, '客户.csv', csv([good, bad]));
    await page.getByTestId('import-check').click();
    const result = page.getByTestId('import-check-result');
    await result.waitFor();
    await page.getByTestId('import-errors').getByText('手机').first().waitFor();
    check(await page.getByTestId('import-commit').isDisabled(), 'all-or-nothing: commit is enabled with an error');
    await shot(page, 'desktop-import-check');

    const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
    check(report.suggestedFilename().endsWith('.xlsx'), `report named ${report.suggestedFilename()}`);
    await report.saveAs(join(artifacts, 'import-error-report.xlsx'));

    bad[4] = '13933334444'; // the fix
    await choose(page, '客户-已修正.csv', csv([good, bad]));
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-commit').and(page.locator(':not([disabled])')).waitFor();
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-status').filter({ hasText: '导入完成' }).waitFor();
    await shot(page, 'desktop-import-done');

    await page.getByTestId('import-revert').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await page.getByTestId('import-status').filter({ hasText: '已撤销' }).waitFor();
    await page.getByTestId('revert-result').getByText('已删除新增客户').waitFor();
    await shot(page, 'desktop-import-reverted');

    await page.goto(`${base}/customers`);
    await page.getByTestId('export-button').hover();
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByText('导出 Excel（.xlsx）').click()]);
    check(exported.suggestedFilename() === '客户.xlsx', `export named ${exported.suggestedFilename()}`);

    const phone = await browser.newContext({
      viewport: PHONE,
      locale: 'zh-CN',
      isMobile: true,
      storageState: await context.storageState(),
    });
    const mobile = await phone.newPage();
    mobile.setDefaultTimeout(TIMEOUT);
    await mobile.goto(`${base}/imports`);
    await mobile.getByRole('heading', { name: '导入数据' }).waitFor();
    await shot(mobile, 'phone-imports');
    await phone.close();
    check(errors.length === 0, `errors in the page: ${errors.join('; ')}`);
  } catch (error) {
    await page.screenshot({ path: join(artifacts, 'failure-imports.png') }).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
