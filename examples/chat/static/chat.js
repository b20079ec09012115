// The chat page: one WebSocket to /rooms/<room>, reconnecting with ?since=<last id>
// so nothing is lost and nothing shown twice; presence events keep the member list.
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var room = chat.dataset.room;
  var list = document.getElementById("messages");
  var membersList = document.getElementById("members");
  var statusLine = document.getElementById("status");
  var lastId = null;
  var seen = new Set();
  var members = new Map(); // connection id -> identity
  var socket = null;
  var delay = 500;

  function setStatus(text) { statusLine.textContent = text; chat.dataset.status = text; }

  function renderMembers() {
    var counts = new Map();
    members.forEach(function (identity) { counts.set(identity, (counts.get(identity) || 0) + 1); });
    membersList.textContent = "";
    Array.from(counts.keys()).sort().forEach(function (identity) {
      var li = document.createElement("li");
      li.textContent = identity;
      var n = counts.get(identity);
      if (n > 1) { li.title = n + " connections"; li.dataset.connections = n; }
      membersList.appendChild(li);
    });
  }

  function applyPresence(event) {
    event.joins.forEach(function (m) { m.metas.forEach(function (meta) { members.set(meta.conn, m.identity); }); });
    event.leaves.forEach(function (m) { m.metas.forEach(function (meta) { members.delete(meta.conn); }); });
    renderMembers();
  }

  function addMessage(message) {
    if (message.id != null) {
      if (seen.has(message.id)) { return; }
      seen.add(message.id);
      lastId = lastId === null ? message.id : Math.max(lastId, message.id);
    }
    var li = document.createElement("li");
    var who = document.createElement("b");
    who.textContent = message.from || "server";
    li.appendChild(who);
    li.appendChild(document.createTextNode(" " + (message.text || "")));
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + "/rooms/" + encodeURIComponent(room) + (lastId !== null ? "?since=" + lastId : "");
    setStatus("connecting");
    socket = new WebSocket(url);
    socket.onopen = function () { setStatus("online"); delay = 500; members.clear(); renderMembers(); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "presence") { applyPresence(message); } else { addMessage(message); }
    };
    socket.onclose = function (event) {
      if (event.code === 4403) { setStatus("not allowed"); return; }
      setStatus("offline");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  document.getElementById("send").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("text");
    if (socket && socket.readyState === WebSocket.OPEN && input.value.trim()) {
      socket.send(JSON.stringify({ text: input.value }));
      input.value = "";
    }
  });
  window.chatSocket = function () { return socket; };
  connect();
})();
