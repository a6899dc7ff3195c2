// The studio's HTTP contract (web/studio.py): JSON in and out, the session cookie and the page's CSRF token.
// A refusal is thrown as an ApiError carrying the status and the server's {title, detail} in the reader's language.

const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const URLS = JSON.parse(document.getElementById('studio').dataset.urls);

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || body.title || String(status));
    this.status = status;
    this.body = body;
  }
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': CSRF },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let answer = {};
  try { answer = await response.json(); } catch { answer = { title: response.statusText }; }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

export const urls = URLS;
export const loadDraft = () => call('GET', URLS.draft);
export const saveDraft = (revision, files, manifest) => call('PUT', URLS.draft, manifest ? { revision, files, manifest } : { revision, files });
export const checkDraft = (files, manifest) => call('POST', URLS.check, manifest ? { files, manifest } : { files });
