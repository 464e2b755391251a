// The runs page: every run, newest first, refreshed every 2 s.
import { json, describe, element, progressBar, Unauthorized } from './api.js';

const REFRESH_MS = 2000;

function row(run) {
  const tr = element('tr');
  tr.dataset.run = run.runId;
  const link = element('a', run.runId);
  link.href = 'run.html?id=' + encodeURIComponent(run.runId);
  const cells = [link, element('span', run.status, 'status ' + run.status), element('span', describe(run.progress), 'phase'),
    progressBar(run.status, run.progress), element('time', new Date(run.requestedAt).toLocaleString())];
  for (const content of cells) {
    const td = element('td');
    td.append(content);
    tr.append(td);
  }
  return tr;
}

async function refresh() {
  const error = document.getElementById('error');
  try {
    const runs = await json('runs?limit=200');
    document.querySelector('#runs tbody').replaceChildren(...runs.map(row));
    document.getElementById('empty').hidden = runs.length > 0;
    error.hidden = true;
  } catch (e) {
    if (e instanceof Unauthorized) {
      return;
    }
    error.textContent = 'Cannot read the runs: ' + e.message;
    error.hidden = false;
  }
  setTimeout(refresh, REFRESH_MS);
}

refresh();
