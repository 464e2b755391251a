// The orchestrator's API as the dashboard's pages use it: JSON reads, the bearer token, and a run's report stream.
const TOKEN_KEY = 'spin-api-token';

/** Thrown when the orchestrator wants a token (401): the page shows the token form. */
export class Unauthorized extends Error {}

function authorization() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: 'Bearer ' + token } : {};
}

export async function call(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...authorization(), ...(options.headers || {}) } });
  if (response.status === 401) {
    showTokenForm();
    throw new Unauthorized(path + ' needs the API token');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message || response.status + ' ' + response.statusText + ' from ' + path);
  }
  return response;
}

export async function json(path) {
  return (await call(path)).json();
}

/**
 * Follows a server-sent event stream (fetch, not EventSource, so the token can go in a header), calling onEvent with
 * each event's JSON until the server ends the stream.
 */
export async function follow(path, onEvent) {
  const response = await call(path, { headers: { Accept: 'text/event-stream' } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, end).split('\n').filter(line => line.startsWith('data:'))
        .map(line => line.slice(5).replace(/^ /, '')).join('\n');
      buffer = buffer.slice(end + 2);
      if (data) {
        onEvent(JSON.parse(data));
      }
    }
  }
}

/** Asks for the token once: a form above the page's content; the page reloads with it. */
function showTokenForm() {
  if (document.getElementById('token-form')) {
    return;
  }
  const form = document.createElement('form');
  form.id = 'token-form';
  form.innerHTML = 'This orchestrator needs its API token (<code>./spin up</code> wrote it to <code>.spin/api-token</code>): '
    + '<input name="token" type="password" autocomplete="off" required> <button>Use it</button>';
  form.addEventListener('submit', event => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, form.elements.token.value.trim());
    location.reload();
  });
  document.querySelector('header').after(form);
}

/** One line saying where a run is, from its report's progress; iterations counted from 1, as the CLI does. */
export function describe(progress) {
  if (!progress || !progress.phase) {
    return '';
  }
  const p = progress;
  const iteration = p.iteration == null ? null : `iteration ${p.iteration + 1}` + (p.iterations == null ? '' : ' of ' + p.iterations);
  switch (p.phase) {
    case 'SFT':
      return p.trainingStep == null ? 'SFT' : `SFT: step ${p.trainingStep}/${p.trainingSteps}`;
    case 'GENERATING':
      return `${iteration}: generated ${p.generated ?? 0}/${p.expected ?? '?'}`;
    case 'TRAINING':
      return `${iteration}: training` + (p.trainingStep == null ? '' : ` step ${p.trainingStep}/${p.trainingSteps}`);
    case 'COMPLETED':
      return 'completed' + (p.iteration == null ? '' : `: ${p.iteration + 1} of ${p.iterations} iterations`);
    default:
      return p.phase.toLowerCase() + (iteration == null ? '' : ' in ' + iteration);
  }
}

/** The run's share done, 0..1: iterations completed plus the current one's part (half generating, half training). */
export function fraction(status, progress) {
  if (status === 'COMPLETED') {
    return 1;
  }
  const p = progress || {};
  if (!p.iterations || p.iteration == null) {
    return 0;
  }
  let within = 0;
  if (p.phase === 'GENERATING' && p.expected) {
    within = 0.5 * (p.generated || 0) / p.expected;
  } else if (p.phase === 'TRAINING') {
    within = 0.5 + (p.trainingSteps ? 0.5 * (p.trainingStep || 0) / p.trainingSteps : 0);
  } else if (p.phase !== 'SFT') {
    within = 1;
  }
  return Math.min(1, (p.iteration + within) / p.iterations);
}

export function number(x, digits = 3) {
  return x == null ? '' : Number(x).toFixed(digits);
}

export function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text != null) {
    e.textContent = text;
  }
  if (className) {
    e.className = className;
  }
  return e;
}

export function progressBar(status, progress) {
  const bar = element('progress');
  bar.max = 1;
  bar.value = fraction(status, progress);
  return bar;
}
