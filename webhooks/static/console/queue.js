// Live agent queue: poll the JSON endpoint and redraw the table without a reload.
(function () {
  "use strict";
  var table = document.getElementById("queue");
  if (!table) { return; }
  var body = table.tBodies[0];
  var empty = document.getElementById("queue-empty");
  var announcer = document.getElementById("queue-announcer");
  var text = JSON.parse(document.getElementById("i18n").textContent);
  var every = Math.max(1, parseInt(table.dataset.poll, 10) || 3) * 1000;
  var escalationUrl = table.dataset.escalationUrl.replace(/0$/, "");
  var known = {};
  Array.prototype.forEach.call(body.rows, function (row) { known[row.dataset.id] = true; });

  function el(tag, content, cls) {
    var node = document.createElement(tag);
    if (content !== undefined && content !== null) { node.textContent = content; }
    if (cls) { node.className = cls; }
    return node;
  }
  function badge(kind, value, label) {
    return el("span", label, "badge " + kind + "-" + value);
  }
  function cell(row, parts, cls) {
    var td = el("td", null, cls);
    parts.forEach(function (part, i) {
      if (i) { td.appendChild(document.createElement("br")); }
      td.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    row.appendChild(td);
  }
  function draw(entries) {
    var fresh = [];
    var rows = entries.map(function (e) {
      var row = el("tr", null, "row-" + e.status);
      row.dataset.id = String(e.id);
      if (!known[e.id]) { row.className += " fresh"; fresh.push(e); known[e.id] = true; }
      cell(row, [String(e.rank)], "num");
      cell(row, [e.customer || text.unknown_customer, el("small", e.phone)]);
      cell(row, [text.reason[e.reason] || e.reason]);
      cell(row, e.caller_waiting
        ? [text.channel[e.channel] || e.channel, el("small", text.caller_waiting, "live")]
        : [text.channel[e.channel] || e.channel]);
      var q = e.quadrant || "none";
      cell(row, [badge("q", q, text.quadrant[q] || q)]);
      cell(row, [e.conformity === null ? "—" : e.conformity.toFixed(1).replace(".", text.decimal || ".")], "num opt");
      var waited = el("span", e.wait[0] + " " + (text.unit[e.wait[1]] || e.wait[1]), "wait sla-" + e.sla);
      var waitCell = el("span");
      waitCell.appendChild(waited);
      if (text.sla[e.sla]) { waitCell.appendChild(el("span", " (" + text.sla[e.sla] + ")", "sr-only")); }
      cell(row, [waitCell], "num");
      cell(row, e.agent ? [badge("s", e.status, text.status[e.status]), el("small", e.agent)]
                        : [badge("s", e.status, text.status[e.status])]);
      var link = el("a", text.open, "button");
      link.href = escalationUrl + e.id;
      link.appendChild(el("span", " #" + e.id, "sr-only"));
      cell(row, [link], "go");
      return row;
    });
    body.replaceChildren.apply(body, rows);
    empty.hidden = entries.length > 0;
    if (fresh.length) {
      announcer.textContent = fresh.map(function (e) {
        return text.new_escalation + ": " + (e.customer || text.unknown_customer) + ", " +
          (text.reason[e.reason] || e.reason);
      }).join(". ");
    }
  }
  function poll() {
    fetch(table.dataset.src, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data) { draw(data.entries); } })
      .catch(function () { /* offline for a moment: try again on the next tick */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
