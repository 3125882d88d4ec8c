// Assets compiled into the binary: nothing is loaded from another host, and
// the Content-Security-Policy (web_server.cc) allows only these.

#include "web/routes.h"

namespace databus::web {
namespace {

constexpr char kStyle[] = R"css(
:root { --bg:#f5f6f8; --fg:#1d2330; --muted:#667085; --card:#fff; --line:#dde1e8;
  --accent:#2457c5; --accent-fg:#fff; --ok:#1f7a3f; --warn:#9a6700; --err:#b42318; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  background:var(--bg); color:var(--fg); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center;
  justify-content:space-between; padding:.6rem 1.2rem; background:#15213b; color:#fff; }
.brand { display:flex; align-items:center; gap:.6rem; }
.logo { background:var(--accent); border-radius:6px; padding:.1rem .4rem; font-weight:700; }
.alias { font-size:1.25rem; font-weight:600; letter-spacing:.02em; }
.who { display:flex; flex-wrap:wrap; gap:.8rem; align-items:center; font-size:.9rem; }
.who button.link { color:#cfe0ff; }
nav.main { display:flex; flex-wrap:wrap; gap:.2rem; align-items:center; padding:.3rem 1rem;
  background:#fff; border-bottom:1px solid var(--line); }
nav.main a { padding:.45rem .7rem; border-radius:6px; color:var(--fg); }
nav.main a.active { background:#e6edfb; color:var(--accent); font-weight:600; }
.client-switch { margin-left:auto; display:flex; gap:.3rem; align-items:center; }
main { max-width:1200px; margin:0 auto; padding:1rem 1.2rem 3rem; }
h1 { font-size:1.5rem; margin:.6rem 0 1rem; } h2 { font-size:1.15rem; margin:1.6rem 0 .6rem; }
footer { text-align:center; color:var(--muted); font-size:.8rem; padding:1rem; }
.table-wrap { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.5rem .7rem; border-bottom:1px solid var(--line); vertical-align:top; }
thead th { background:#f0f2f6; font-size:.85rem; color:var(--muted); }
table.kv th { width:12rem; background:#f7f8fa; }
tr:last-child td, tr:last-child th { border-bottom:none; }
.muted { color:var(--muted); font-size:.85rem; } .mono, code, pre { font-family:ui-monospace,Menlo,Consolas,monospace; }
.nowrap { white-space:nowrap; }
pre { background:#0f172a; color:#e2e8f0; padding:1rem; border-radius:8px; overflow:auto;
  white-space:pre-wrap; word-break:break-word; }
button, .button { font:inherit; font-size:.9rem; padding:.35rem .8rem; border-radius:6px;
  border:1px solid var(--line); background:#fff; color:var(--fg); cursor:pointer; display:inline-block; }
button:hover, .button:hover { border-color:var(--accent); text-decoration:none; }
button.primary { background:var(--accent); color:var(--accent-fg); border-color:var(--accent); }
button.danger { background:#fff; color:var(--err); border-color:#f1b5ae; }
button.link { background:none; border:none; padding:0; text-decoration:underline; }
form.inline { display:inline; margin:0 .25rem .25rem 0; }
.actions { display:flex; flex-wrap:wrap; gap:.4rem; align-items:center; margin:.6rem 0; }
td.actions { display:table-cell; }
input, select, textarea { font:inherit; padding:.35rem .5rem; border:1px solid var(--line);
  border-radius:6px; background:#fff; color:var(--fg); }
textarea { width:100%; font-family:ui-monospace,Menlo,Consolas,monospace; font-size:.85rem; }
.filters { display:flex; flex-wrap:wrap; gap:.4rem; margin:.6rem 0; }
.filters input[type=search] { flex:1 1 16rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:1rem; margin:.8rem 0; }
.card h2 { margin-top:0; overflow-wrap:anywhere; }
.login { max-width:24rem; margin:2rem auto; display:flex; flex-direction:column; gap:.7rem; }
.login label { display:flex; flex-direction:column; gap:.2rem; font-weight:600; }
.hint { color:var(--muted); font-size:.85rem; }
.banner { padding:.6rem .9rem; border-radius:8px; margin:.6rem 0; border:1px solid; }
.banner.warning { background:#fff8e6; border-color:#f5d37a; color:#6b4a00; }
.banner.error { background:#fdecea; border-color:#f1b5ae; color:var(--err); white-space:pre-line; }
.banner.info { background:#eaf2ff; border-color:#b8cff7; color:#173d8a; }
.badge { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.8rem;
  background:#eef0f4; color:var(--muted); border:1px solid var(--line); }
.badge-complete, .badge-info, .badge-running, .badge-hashed { background:#e7f6ec; color:var(--ok); border-color:#b7e1c4; }
.badge-incomplete, .badge-warning, .badge-paused, .badge-plaintext, .badge-failing, .badge-waiting { background:#fff5e0; color:var(--warn); border-color:#f2d79b; }
.badge-error, .badge-shutting_down, .badge-stopped, .badge-quarantined { background:#fdecea; color:var(--err); border-color:#f1b5ae; }
/* Puller health (Passengers page): failing red, stale amber, ok green. */
.badge.health-ok { background:#e7f6ec; color:var(--ok); border-color:#b7e1c4; }
.badge.health-stale { background:#fff5e0; color:var(--warn); border-color:#f2d79b; }
.badge.health-failing, .badge.health-unreadable { background:#fdecea; color:var(--err); border-color:#f1b5ae; font-weight:600; }
.puller-health { margin:.1rem 0; } .puller-module { font-size:.8rem; overflow-wrap:anywhere; }
.puller-note { font-size:.8rem; overflow-wrap:anywhere; }
button.status-complete { background:#e7f6ec; color:var(--ok); border-color:#b7e1c4; }
button.status-incomplete, button.status-undefined { background:#fff5e0; color:var(--warn); border-color:#f2d79b; }
nav.tabs { display:flex; flex-wrap:wrap; gap:.3rem; margin-bottom:.6rem; }
nav.tabs a { padding:.3rem .7rem; border:1px solid var(--line); border-radius:999px; background:#fff; font-size:.9rem; }
nav.tabs a.active { background:var(--accent); color:#fff; border-color:var(--accent); }
.pager { display:flex; gap:.6rem; align-items:center; margin:.6rem 0; }
ul.list { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.5rem 1rem .5rem 2rem; }
ul.list li { margin:.25rem 0; }
a.count { font-weight:600; }
details.peek { border-top:1px solid var(--line); padding:.4rem 0; }
img.attachment { max-width:100%; border:1px solid var(--line); border-radius:8px; background:#fff; }
code.token { word-break:break-all; font-size:.8rem; }
/* Dashboard (pages_dashboard.cc): the flow as boxes that wrap on a phone. */
.flow { display:flex; flex-wrap:wrap; align-items:center; gap:.4rem; margin:.4rem 0 .8rem; }
.flow-box { border:1px solid var(--line); border-radius:8px; padding:.45rem .6rem; background:#f7f8fa;
  min-width:9rem; max-width:16rem; display:flex; flex-direction:column; gap:.1rem; }
.flow-queue { background:#eaf2ff; border-color:#b8cff7; }
.flow-bad { border-color:#f1b5ae; background:#fdecea; }
.flow-kind { font-size:.75rem; text-transform:uppercase; color:var(--muted); letter-spacing:.04em; }
.flow-module { font-size:.8rem; overflow-wrap:anywhere; }
.flow-count { font-weight:600; font-size:1.1rem; }
.flow-failing { color:var(--err); font-weight:600; }
.flow-arrow { color:var(--muted); font-size:1.2rem; }
.charts { display:grid; grid-template-columns:repeat(auto-fit, minmax(18rem, 1fr)); gap:.8rem; }
svg.chart { width:100%; height:auto; display:block; }
.legend { display:flex; flex-wrap:wrap; gap:.3rem .9rem; font-size:.85rem; align-items:center; }
.legend .key { display:inline-flex; gap:.3rem; align-items:center; }
ol.tail { list-style:none; margin:0; padding:0; max-height:22rem; overflow:auto;
  font-family:ui-monospace,Menlo,Consolas,monospace; font-size:.8rem; }
ol.tail li { padding:.15rem 0; border-bottom:1px solid var(--line); overflow-wrap:anywhere; }
ol.tail li.tail-warning { color:var(--warn); } ol.tail li.tail-error { color:var(--err); }
ol.tail li.tail-empty { color:var(--muted); font-family:inherit; }
@media (max-width: 640px) {
  main { padding:.6rem; } .client-switch { margin-left:0; }
  /* Tables become stacked cards: one row per block, no sideways scrolling. */
  table, tbody, tr, th, td { display:block; width:100%; }
  thead { display:none; }
  tr { border-bottom:1px solid var(--line); padding:.4rem 0; }
  th, td { border:none; padding:.15rem .7rem; overflow-wrap:anywhere; }
  table.kv th { width:auto; background:none; color:var(--muted); font-size:.8rem; }
}
)css";

constexpr char kScript[] = R"js(
// Asks before submitting forms marked data-confirm (purge, shutdown, revoke).
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
});
// The dashboard (pages_dashboard.cc) replaces its passengers part every 5 s
// without reloading the page.
(function () {
  var box = document.getElementById('dashboard');
  if (!box) return;
  setInterval(function () {
    fetch(box.dataset.refresh, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () {});
  }, 5000);
})();
// The live tail: new log lines of running drives every 2 s, newest last.
(function () {
  var list = document.querySelector('ol.tail');
  if (!list) return;
  var last = 0, shown = 0, empty = document.createElement('li');
  empty.className = 'tail-empty';
  empty.textContent = 'No drive has written a line since this page opened.';
  list.appendChild(empty);
  function poll() {
    fetch(list.dataset.tail + '?after=' + last, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
        data.lines.forEach(function (line) {
          if (empty.parentNode) list.removeChild(empty);
          var item = document.createElement('li');
          item.className = 'tail-' + line.type;
          item.textContent = line.time.replace('T', ' ').slice(0, 19) + ' ' + line.passenger +
            ' [' + line.type + '] ' + line.message;
          list.appendChild(item);
          if (++shown > 300) { list.removeChild(list.firstChild); --shown; }
        });
        last = data.last;
        if (atEnd) list.scrollTop = list.scrollHeight;
      })
      .catch(function () {});
  }
  poll();
  setInterval(poll, 2000);
})();
// The client switch of root users goes on selection.
document.addEventListener('change', function (event) {
  if (event.target.id === 'client-switch') event.target.form.submit();
});
)js";

constexpr char kFavicon[] =
    R"svg(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2457c5"/><text x="16" y="21" font-family="sans-serif" font-size="13" font-weight="700" fill="#fff" text-anchor="middle">DB</text></svg>)svg";

void serve(httplib::Server& server, const char* path, const char* content, const char* type) {
  server.Get(path, [content, type](const httplib::Request&, httplib::Response& res) {
    res.set_content(content, type);
    res.set_header("Cache-Control", "max-age=3600");
  });
}

}  // namespace

void add_asset_routes(httplib::Server& server) {
  serve(server, "/assets/style.css", kStyle, "text/css; charset=utf-8");
  serve(server, "/assets/app.js", kScript, "text/javascript; charset=utf-8");
  serve(server, "/assets/favicon.svg", kFavicon, "image/svg+xml");
  add_config_editor_asset(server);
}

}  // namespace databus::web
