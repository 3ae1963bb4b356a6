/* The live wallboard: draws what the socket ws/live/ sends (wallboard.consumers).
   Plain JavaScript, no library, nothing fetched but the socket. */
(function () {
  "use strict";
  var root = document.getElementById("wallboard");
  if (!root) { return; }
  var labels = JSON.parse(document.getElementById("wallboard-labels").textContent);
  var tiles = document.getElementById("wallboard-tiles");
  var status = root.querySelector(".wallboard-status");
  var agentsBox = document.getElementById("wallboard-agents");
  var agentRows = document.getElementById("wallboard-agent-rows");
  var alertList = document.getElementById("wallboard-alert-list");
  var projects = {};      // code -> {meta, tile, state, receivedAt}
  var operators = [];     // [{operator, state, since}]
  var retry = 1000;
  var AMBER_BELOW = 0.05; // amber: within 5 points under the target; red: further under
  // Numbers and times in the page's language (the template's data-lang).
  var lang = root.dataset.lang || undefined;
  var percentFormat = new Intl.NumberFormat(lang, {
    style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1});
  var numberFormat = new Intl.NumberFormat(lang, {maximumFractionDigits: 2});

  function number(value) {
    return value === null || value === undefined ? "-" : numberFormat.format(Number(value));
  }

  function clockTime(date) {
    return date.toLocaleTimeString(lang);
  }

  function setStatus(name, text) {
    status.dataset.status = name;
    status.textContent = text;
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m));
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function percent(value) {
    return value === null || value === undefined ? "-" : percentFormat.format(Number(value));
  }

  function level(sl, target) {
    if (sl === null || sl === undefined) { return "none"; }
    if (sl >= target) { return "green"; }
    return sl >= target - AMBER_BELOW ? "amber" : "red";
  }

  function hello(message) {
    tiles.textContent = "";
    projects = {};
    var template = document.getElementById("wallboard-tile");
    message.projects.forEach(function (meta) {
      var tile = template.content.firstElementChild.cloneNode(true);
      tile.dataset.project = meta.code;
      tile.querySelector(".wallboard-name").textContent = meta.name;
      tile.querySelector(".wallboard-code").textContent =
        meta.code + " · " + labels.target + " " + percent(meta.sl_target);
      tiles.appendChild(tile);
      projects[meta.code] = {meta: meta, tile: tile, state: null, receivedAt: 0};
    });
    if (!message.projects.length) {
      var empty = document.createElement("p");
      empty.className = "wallboard-empty";
      empty.textContent = labels.no_projects;
      tiles.appendChild(empty);
    }
    agentsBox.hidden = !message.pool;
  }

  function field(tile, name, value, text) {
    var cell = tile.querySelector('[data-field="' + name + '"]');
    cell.dataset.value = JSON.stringify(value);
    cell.textContent = text;
  }

  function drawProject(entry) {
    var state = entry.state, tile = entry.tile, today = state.today || {};
    var sl = today.service_level;
    sl = sl === null || sl === undefined ? null : Number(sl);
    tile.dataset.level = level(sl, entry.meta.sl_target);
    field(tile, "service_level", sl, percent(sl));
    field(tile, "waiting", state.waiting, number(state.waiting));
    var longest = state.longest_wait_seconds || 0;
    if (state.waiting > 0) { longest += (Date.now() - entry.receivedAt) / 1000; }
    field(tile, "longest_wait", state.longest_wait_seconds, duration(longest));
    field(tile, "today", [today.offered, today.answered, today.abandoned],
      [today.offered, today.answered, today.abandoned].map(number).join(" / "));
    var forecast = today.forecast_offered;
    field(tile, "forecast", [today.offered, forecast], number(today.offered) + " / " +
      (forecast === null || forecast === undefined ? "-" : number(Math.round(Number(forecast)))));
    var agents = state.agents || {};
    tile.querySelectorAll("[data-agents]").forEach(function (span) {
      var key = span.dataset.agents, count = agents[key] || 0;
      span.dataset.value = String(count);
      span.textContent = number(count) + " " + labels[key];
    });
  }

  // The current 15-minute interval: agents Erlang requires against those on shift.
  function drawIntraday(message) {
    Object.keys(message.projects || {}).forEach(function (code) {
      var entry = projects[code], row = message.projects[code];
      if (!entry) { return; }
      field(entry.tile, "interval", row && [row.required_agents, row.on_shift],
        row ? number(row.required_agents) + " / " + number(row.on_shift) : "-");
      entry.tile.querySelector('[data-field="interval"]').dataset.short =
        String(Boolean(row && row.gap < 0));
    });
  }

  function drawOperators() {
    var now = Date.now();
    var rows = operators.map(function (row) {
      var since = row.since ? Date.parse(row.since) : NaN;
      var tr = document.createElement("tr");
      tr.dataset.operator = row.operator;
      tr.dataset.state = row.state;
      [row.name || row.operator, labels[row.state] || row.state,
       isNaN(since) ? "-" : duration((now - since) / 1000)].forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      return tr;
    });
    agentRows.replaceChildren.apply(agentRows, rows);
  }

  function alertSince(iso) {
    var at = iso ? new Date(iso) : null;
    return at && !isNaN(at) ? labels.since + " " + clockTime(at) : "";
  }

  // One line per open alert: project (or the pool), condition, value / threshold, since.
  function alertItem(message) {
    var id = String(message.id);
    var existing = alertList.querySelector('[data-alert="' + CSS.escape(id) + '"]');
    if (message.type === "alert.cleared") {
      if (existing) { existing.remove(); }
    } else {
      var item = existing || document.createElement("li");
      item.dataset.alert = id;
      item.dataset.project = message.project || "";
      item.dataset.condition = message.condition;
      item.dataset.status = message.state || "open";
      var value = message.value === null || message.value === undefined ? "" :
        number(message.value) + (message.threshold ? " / " + number(message.threshold) : "");
      item.textContent = [message.project || labels.pool, message.label || message.condition,
        value, alertSince(message.opened_at)].filter(Boolean).join(" · ");
      item.title = message.message || "";
      if (!existing) { alertList.appendChild(item); }
    }
    var none = alertList.querySelector("[data-none]");
    none.hidden = alertList.children.length > 1;
  }

  function alerts(message) {
    alertList.querySelectorAll("[data-alert]").forEach(function (item) { item.remove(); });
    (message.alerts || []).forEach(function (alert) {
      alertItem(Object.assign({type: "alert.opened"}, alert));
    });
    alertList.querySelector("[data-none]").hidden = alertList.children.length > 1;
  }

  function receive(event) {
    var message = JSON.parse(event.data);
    if (message.type === "wallboard.hello") {
      hello(message);
    } else if (message.type === "live.update" && projects[message.project]) {
      var entry = projects[message.project];
      entry.state = message.state;
      entry.receivedAt = Date.now();
      drawProject(entry);
    } else if (message.type === "operators") {
      operators = message.operators || [];
      drawOperators();
    } else if (message.type === "intraday") {
      drawIntraday(message);
    } else if (message.type === "alerts") {
      alerts(message);
    } else if (message.type.indexOf("alert.") === 0) {
      alertItem(message);
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + root.dataset.socket);
    socket.onopen = function () { retry = 1000; setStatus("live", labels.connected); };
    socket.onmessage = receive;
    socket.onclose = function (event) {
      if (event.code === 4403) { setStatus("refused", labels.refused); return; }
      setStatus("reconnecting", labels.reconnecting);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  // Time in state and the longest wait tick here, between the server's messages.
  setInterval(function () {
    Object.keys(projects).forEach(function (code) {
      var entry = projects[code];
      if (entry.state && entry.state.waiting > 0) { drawProject(entry); }
    });
    if (operators.length) { drawOperators(); }
    var clock = document.getElementById("wallboard-clock");
    if (clock) { clock.textContent = clockTime(new Date()); }
  }, 1000);

  connect();
}());
