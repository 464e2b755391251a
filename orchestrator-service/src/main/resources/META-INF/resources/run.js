// A run's page: live progress from the report stream, the charts, the checkpoint chain, the pair snapshots, cancel.
import { call, json, follow, describe, fraction, element, Unauthorized } from './api.js';
import { drawCharts } from './charts.js';

const id = new URLSearchParams(location.search).get('id');
const path = 'runs/' + encodeURIComponent(id || '');

function rows(tableId, cellLists) {
  document.querySelector('#' + tableId + ' tbody').replaceChildren(...cellLists.map(cells => {
    const tr = element('tr');
    cells.forEach((text, i) => tr.append(element(i === 0 ? 'th' : 'td', text == null ? '' : String(text), i > 0 ? 'mono' : null)));
    return tr;
  }));
}

function render(report) {
  document.getElementById('status').textContent = report.status;
  document.getElementById('status').className = 'status ' + report.status;
  document.getElementById('phase').textContent = describe(report.progress);
  document.getElementById('progress').value = fraction(report.status, report.progress);
  document.getElementById('reason').textContent = report.stopReason
    ? (report.failedComponent ? report.failedComponent + ': ' : '') + report.stopReason : '';
  document.getElementById('cancel').hidden = report.status !== 'RUNNING';
  drawCharts(report);
  const chain = [];
  if (report.sft?.checkpoint) {
    chain.push(['π0', report.sft.checkpoint.uri, report.sft.checkpoint.sha256, '']);
  }
  report.iterations.filter(it => it.checkpoint).forEach(it =>
    chain.push(['π' + (it.iteration + 1), it.checkpoint.uri, it.checkpoint.sha256, it.checkpoint.parent?.uri]));
  rows('checkpoints', chain);
  rows('snapshots', report.iterations.filter(it => it.pairsSnapshot)
    .map(it => [it.iteration, it.pairs, it.pairsSnapshot.uri, it.pairsSnapshot.sha256]));
  rows('config', Object.entries(report.config || {}).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : value]));
}

function fail(e) {
  if (!(e instanceof Unauthorized)) {
    document.getElementById('error').textContent = e.message;
    document.getElementById('error').hidden = false;
  }
}

async function cancel() {
  const button = document.getElementById('cancel');
  button.disabled = true;
  try {
    render(await (await call(path, { method: 'DELETE' })).json());
  } catch (e) {
    fail(e);
  } finally {
    button.disabled = false;
  }
}

async function main() {
  if (!id) {
    throw new Error('no run given: open run.html?id=RUN');
  }
  document.getElementById('run-id').textContent = id;
  document.getElementById('json').href = path;
  document.title = 'SPIN run ' + id;
  document.getElementById('cancel').addEventListener('click', cancel);
  const report = await json(path);
  render(report);
  if (report.status === 'RUNNING') {
    await follow(path + '/events', render);
    render(await json(path));
  }
}

main().catch(fail);
