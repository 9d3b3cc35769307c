namespace Gateway.Admin;

/// <summary>
/// The status page's one inline script (allowed by its nonce, nothing else may run): the admin token
/// kept in the tab's <c>sessionStorage</c>; the buttons, which send exactly the requests kubectl
/// sends (<c>delete pod</c>, <c>scale</c>, <c>rollout restart</c>) with <c>Authorization: Bearer</c>;
/// and the refresh, which fetches the page again and swaps its <c>#live</c> part, so the token field,
/// the last answer and a replicas number being typed survive it. A token pasted is checked with a
/// read (<c>GET /api</c>) before it is kept. Every text from the server goes in
/// with <c>textContent</c>, never as HTML.
/// </summary>
internal static class DashboardScript
{
    public const string TokenKey = "gateway-admin-token";

    public static string Source(int refreshMilliseconds) => $$"""
        (() => {
          const key = '{{TokenKey}}';
          const $ = id => document.getElementById(id);
          const token = () => sessionStorage.getItem(key) || '';
          const say = (text, bad) => { const r = $('action-result'); r.textContent = text; r.className = bad ? 'bad' : 'ok'; };
          const showToken = () => {
            const s = $('token-state');
            s.textContent = token() ? 'token set for this tab' : 'no token: restart, scale and rollout restart will be refused (401)';
            s.className = token() ? 'ok' : 'warn';
          };
          $('save-token').addEventListener('click', async () => {
            const v = $('token').value.trim();
            $('token').value = '';
            if (!v) return;
            // A read with the token tells a wrong one (401) before a button is pressed.
            const r = await fetch('/api', { headers: { Authorization: 'Bearer ' + v }, credentials: 'same-origin', cache: 'no-store' });
            if (r.status === 401) {
              sessionStorage.removeItem(key);
              const s = $('token-state');
              s.textContent = 'the gateway refused that token (401): paste the one in the file Gateway:Admin:TokenFile names';
              s.className = 'bad';
              return;
            }
            sessionStorage.setItem(key, v);
            showToken();
          });
          $('forget-token').addEventListener('click', () => { sessionStorage.removeItem(key); showToken(); });
          showToken();
          const headers = extra => {
            const h = Object.assign({}, extra);
            if (token()) h.Authorization = 'Bearer ' + token();
            return h;
          };
          let busy = false;
          async function refresh(force) {
            const a = document.activeElement;
            if (busy || (!force && a && a.tagName === 'INPUT' && a.closest('#live'))) return;
            busy = true;
            try {
              // A read: allowed on loopback, or by the cookie of /?token= (the token is for writes).
              const r = await fetch(location.pathname, { credentials: 'same-origin', cache: 'no-store' });
              if (r.ok) {
                const live = new DOMParser().parseFromString(await r.text(), 'text/html').getElementById('live');
                if (live) $('live').replaceWith(document.adoptNode(live));
              }
            } catch (e) {
              // The gateway is restarting or gone: keep what is shown, try again at the next tick.
            } finally {
              busy = false;
            }
          }
          async function send(method, url, type, body, done) {
            say(method + ' ' + url + ' ...', false);
            try {
              const r = await fetch(url, { method, headers: headers(type ? { 'Content-Type': type } : {}), body, credentials: 'same-origin', cache: 'no-store' });
              let message = '';
              try { const j = await r.json(); if (j && j.kind === 'Status') message = j.message || ''; } catch (e) { }
              if (r.status === 401) say('Refused (401 Unauthorized): paste the admin token (the file Gateway:Admin:TokenFile names) above first. ' + message, true);
              else if (!r.ok) say('Refused (' + r.status + '): ' + message, true);
              else say(done, false);
            } catch (e) {
              say('The gateway did not answer: ' + e, true);
            }
            refresh(true);
          }
          document.addEventListener('click', e => {
            const b = e.target.closest('button[data-action]');
            if (!b) return;
            const name = b.dataset.name, n = encodeURIComponent(name);
            const deployment = '/apis/apps/v1/namespaces/default/deployments/' + n;
            if (b.dataset.action === 'restart-pod') {
              send('DELETE', '/api/v1/namespaces/default/pods/' + n, null, null, 'pod ' + name + ' deleted: it drains, and a Deployment replaces it');
            } else if (b.dataset.action === 'scale') {
              const text = b.closest('tr').querySelector('input.replicas').value.trim();
              const replicas = Number(text);
              if (text === '' || !Number.isInteger(replicas) || replicas < 0) { say('replicas of ' + name + ': give a whole number, 0 or more', true); return; }
              send('PATCH', deployment + '/scale', 'application/merge-patch+json', JSON.stringify({ spec: { replicas } }), 'deployment ' + name + ' scaled to ' + replicas);
            } else if (b.dataset.action === 'rollout-restart') {
              const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
              send('PATCH', deployment, 'application/strategic-merge-patch+json',
                JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } }), 'deployment ' + name + ' restarted');
            }
          });
          setInterval(() => refresh(false), {{refreshMilliseconds}});
        })();
        """;
}
