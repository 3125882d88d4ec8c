// /assets/config-editor.js: the customizing editor of __databus__ checks the
// text as it is typed against the JSON Schema of GET /api/v1/schema (made
// from the component specs; docs/architecture.md, "Component specs") and
// lists what is wrong under the text area. Only a help: the save validates
// on the server all the same.

#include "web/routes.h"

namespace databus::web {
namespace {

constexpr char kConfigEditorScript[] = R"js(
'use strict';
(function () {
  var area = document.getElementById('node-text');
  var list = document.getElementById('schema-problems');
  if (!area || !list) return;
  var schema = null;

  function resolve(s) {
    while (s && s.$ref) s = schema.$defs[s.$ref.replace('#/$defs/', '')];
    return s || {};
  }
  function typeOf(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
  }
  function fits(type, v) {
    var t = typeOf(v);
    return t === type || (type === 'number' && t === 'integer');
  }
  function check(s, v, at, out) {
    s = resolve(s);
    if (s.anyOf) {
      // A component reference: the branch its "module" names decides.
      if (typeOf(v) === 'object' && typeof v.module === 'string') {
        var branch = s.anyOf.map(resolve).filter(function (b) {
          return b.properties && b.properties.module && b.properties.module.enum.indexOf(v.module) >= 0;
        })[0];
        if (!branch) { out.push(at + '.module: unknown module "' + v.module + '"'); return; }
        return check(branch, v, at, out);
      }
      var ok = s.anyOf.some(function (b) { var o = []; check(b, v, at, o); return o.length === 0; });
      if (!ok) out.push(at + ': ' + (typeof v === 'string' ? 'unknown module "' + v + '"' : 'not a valid value'));
      return;
    }
    if (s.type) {
      var types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some(function (t) { return fits(t, v); })) {
        out.push(at + ': must be ' + types.join(' or ') + ', not ' + typeOf(v)); return;
      }
    }
    if (s.enum && s.enum.indexOf(v) < 0) out.push(at + ': must be one of ' + JSON.stringify(s.enum));
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) out.push(at + ': must be at least ' + s.minimum);
      if (s.maximum !== undefined && v > s.maximum) out.push(at + ': must be at most ' + s.maximum);
      if (s.exclusiveMinimum !== undefined && !(v > s.exclusiveMinimum)) out.push(at + ': must be greater than ' + s.exclusiveMinimum);
    }
    if (typeOf(v) === 'array' && s.items) v.forEach(function (item, i) { check(s.items, item, at + '[' + i + ']', out); });
    if (typeOf(v) === 'object') {
      (s.required || []).forEach(function (k) { if (!(k in v)) out.push(at + '.' + k + ': required'); });
      Object.keys(v).forEach(function (k) {
        var p = s.properties && s.properties[k];
        if (p) check(p, v[k], at + '.' + k, out);
        else if (s.additionalProperties === false) out.push(at + '.' + k + ': unknown key');
        else if (typeof s.additionalProperties === 'object') check(s.additionalProperties, v[k], at + '.' + k, out);
      });
    }
  }
  // The offset of the first syntax error in `text` (JSON.parse's messages
  // do not always give one): a small recursive-descent reader.
  function syntaxErrorAt(text) {
    var i = 0;
    function ws() { while (i < text.length && ' \t\r\n'.indexOf(text[i]) >= 0) i++; }
    function fail() { throw i; }
    function value() {
      ws();
      var c = text[i];
      if (c === '{') {
        i++; ws();
        if (text[i] === '}') { i++; return; }
        for (;;) {
          ws(); if (text[i] !== '"') fail(); string(); ws();
          if (text[i] !== ':') fail(); i++; value(); ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; return; }
          fail();
        }
      }
      if (c === '[') {
        i++; ws();
        if (text[i] === ']') { i++; return; }
        for (;;) {
          value(); ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ']') { i++; return; }
          fail();
        }
      }
      if (c === '"') return string();
      var m = /^(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null)/.exec(text.slice(i));
      if (!m) fail();
      i += m[0].length;
    }
    function string() {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text.charCodeAt(i) < 32) fail();
        i++;
      }
      if (i >= text.length) fail();
      i++;
    }
    try { value(); ws(); if (i < text.length) fail(); } catch (at) { return at; }
    return text.length;
  }
  function show(problems) {
    list.textContent = '';
    problems.slice(0, 30).forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = p;
      list.appendChild(li);
    });
    list.setAttribute('data-count', String(problems.length));
    list.hidden = problems.length === 0;
  }
  function lint() {
    var value;
    try {
      value = JSON.parse(area.value);
    } catch (e) {
      var before = area.value.slice(0, syntaxErrorAt(area.value)).split('\n');
      show(['line ' + before.length + ', column ' + (before[before.length - 1].length + 1) +
            ': malformed JSON: ' + e.message]);
      return;
    }
    var out = [];
    check(schema, value, '$', out);
    show(out.map(function (p) { return p.replace(/^\$\.?/, ''); }));
  }
  fetch(list.getAttribute('data-schema'), { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (s) {
      if (!s) return;
      schema = s;
      var timer = null;
      area.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(lint, 300); });
      lint();
    });
})();
)js";

}  // namespace

void add_config_editor_asset(httplib::Server& server) {
  server.Get("/assets/config-editor.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kConfigEditorScript, "text/javascript; charset=utf-8");
    res.set_header("Cache-Control", "max-age=3600");
  });
}

}  // namespace databus::web
