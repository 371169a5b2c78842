// The dashboard per role: charts drawn, a click on a bar opens the list it counts; a weekly
// report generated and both of its files downloaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 30_000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function login(page, base, username, password) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL(`${base}/`);
}

/** Click, with the mouse, the middle of the first non-empty bar of a chart. */
async function clickFirstBar(page, testId) {
  const chart = page.getByTestId(testId);
  await chart.locator('canvas').waitFor();
  await chart.scrollIntoViewIfNeeded(); // the mouse clicks within the viewport only
  const spot = await chart.evaluate((el) => {
    const instance = el.chart;
    const { series } = instance.getOption();
    for (let s = 0; s < series.length; s += 1) {
      const data = series[s].data ?? [];
      for (let i = 0; i < data.length; i += 1) {
        const value = data[i] !== null && typeof data[i] === 'object' ? data[i].value : data[i];
        if (value > 0) {
          const [x, y] = instance.convertToPixel({ seriesIndex: s }, [i, value / 2]);
          return { x, y };
        }
      }
    }
    return null;
  });
  check(spot, `${testId} has no bar to click`);
  const box = await chart.boundingBox();
  await page.mouse.click(box.x + spot.x, box.y + spot.y);
}

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  check(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

async function token(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
  check(res.ok, `login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

export async function analyticsScenario({ browser, base, artifacts, password, step, shots }) {
  const admin = await token(base, 'admin', password);
  // Tickets of this month for the service charts: one per type of a demo customer.
  const [customer] = (await call(base, admin, 'GET', '/customers?limit=1')).items;
  for (const type of ['after_sales_repair', 'technical_consult']) {
    await call(base, admin, 'POST', '/tickets', { customer_id: customer.id, type, channel: 'phone', title: `看板 ${type}` });
  }
  const shot = async (page, name) => {
    await page.screenshot({ path: join(artifacts, `${name}.png`) });
    shots.push(`${name}.png`);
  };

  await step('supervisor: the dashboard with charts, a bar opens the matching ticket list', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await login(page, base, 'supervisor', password);
    await page.getByRole('heading', { name: '工作台' }).waitFor();
    for (const id of [
      'fig-service-volume-chart',
      'fig-service-sla-chart',
      'fig-service-backlog-chart',
      'fig-service-agents-chart',
      'fig-customers-new-chart',
    ]) {
      await page.getByTestId(id).locator('canvas').waitFor();
    }
    await shot(page, 'desktop-dashboard-supervisor');
    await clickFirstBar(page, 'fig-service-volume-chart');
    await page.waitForURL((url) => url.pathname === '/tickets' && url.searchParams.has('type') && url.searchParams.has('created_from'));
    await page.getByRole('link', { name: /^T\d+/ }).first().waitFor();
    await shot(page, 'desktop-dashboard-drill-tickets');

    const phone = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      storageState: await context.storageState(),
    });
    const mobile = await phone.newPage();
    mobile.setDefaultTimeout(TIMEOUT);
    await mobile.goto(`${base}/`);
    await mobile.getByTestId('fig-service-volume-chart').locator('canvas').waitFor();
    await shot(mobile, 'phone-dashboard-supervisor');
    await phone.close();
    await context.close();
  });

  await step('account manager: their dashboard, a bar opens their new customers', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await login(page, base, 'zhangwei', password);
    await page.getByTestId('fig-customers-new-chart').locator('canvas').waitFor();
    await page.getByTestId('fig-sales-funnel-chart').locator('canvas').waitFor();
    check((await page.getByTestId('fig-service-agents').count()) === 0, 'an account manager sees agent workload');
    await shot(page, 'desktop-dashboard-manager');
    await clickFirstBar(page, 'fig-customers-new-chart');
    await page.waitForURL(
      (url) => url.pathname === '/customers' && url.searchParams.has('created_from') && url.searchParams.has('owner_id'),
    );
    await page.locator('.ant-table-row').first().waitFor();
    await shot(page, 'desktop-dashboard-drill-customers');
    await context.close();
  });

  await step('supervisor: generate a weekly report and download both files', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await login(page, base, 'supervisor', password);
    await page.getByRole('menuitem', { name: '报表' }).click();
    await page.waitForURL(`${base}/reports`);
    await page.getByText('周报', { exact: true }).click();
    await page.getByTestId('create-report').click();
    const xlsxButton = page.locator('[data-testid^="download-xlsx-"]').first();
    await xlsxButton.waitFor();
    await shot(page, 'desktop-reports');
    const files = {};
    for (const format of ['xlsx', 'pdf']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`[data-testid^="download-${format}-"]`).first().click(),
      ]);
      const file = join(artifacts, `weekly-report.${format}`);
      await download.saveAs(file);
      files[format] = readFileSync(file);
    }
    check(files.pdf.subarray(0, 4).toString() === '%PDF', 'the PDF download is not a PDF');
    check(files.xlsx.subarray(0, 2).toString() === 'PK', 'the xlsx download is not a workbook');
    await context.close();
  });
}
