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
  var news = {};
  Array.prototype.forEach.call(body.rows, function (row) {
    known[row.dataset.id] = true;
    if (row.querySelector(".new-message")) { news[row.dataset.id] = true; }
  });

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
    var wrote = [];
    var rows = entries.map(function (e) {
      var row = el("tr", null, "row-" + e.status);
      row.dataset.id = String(e.id);
      if (!known[e.id]) { row.className += " fresh"; fresh.push(e); known[e.id] = true; }
      cell(row, [String(e.rank)], "num");
      var who = [e.customer || text.unknown_customer];
      if (e.unverified) { who.push(el("small", text.unverified, "flag unverified")); }
      who.push(el("small", e.phone));
      cell(row, who);
      var why = [text.reason[e.reason] || e.reason];
      if (e.voicemail) { why.push(el("small", text.voicemail[e.voicemail] || e.voicemail, "flag voicemail")); }
      if (e.callback_requested) { why.push(el("small", text.wants_callback, "flag callback")); }
      cell(row, why);
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
      var state = [badge("s", e.status, text.status[e.status])];
      if (e.agent) { state.push(el("small", e.agent)); }
      if (e.new_message) {
        var flag = el("small", text.new_message, "live new-message");
        flag.title = text.customer_wrote_at;
        state.push(flag);
        if (!news[e.id]) { wrote.push(e); }
      }
      news[e.id] = !!e.new_message;
      cell(row, state);
      var link = el("a", text.open, "button");
      link.href = escalationUrl + e.id;
      link.appendChild(el("span", " #" + e.id, "sr-only"));
      cell(row, [link], "go");
      return row;
    });
    body.replaceChildren.apply(body, rows);
    empty.hidden = entries.length > 0;
    var said = fresh.map(function (e) {
      return text.new_escalation + ": " + (e.customer || text.unknown_customer) + ", " +
        (text.reason[e.reason] || e.reason);
    }).concat(wrote.map(function (e) {
      return text.new_message + ": " + (e.customer || text.unknown_customer) + " (#" + e.id + ")";
    }));
    if (said.length) { announcer.textContent = said.join(". "); }
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
