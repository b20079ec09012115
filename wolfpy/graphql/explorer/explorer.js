// The explorer shown at /graphql in debug: run a query, list the schema's root fields.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  async function send(query, variables) {
    const headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(location.pathname, {
      method: "POST", headers, credentials: "same-origin",
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    try { return JSON.parse(text); } catch (e) { return { status: response.status, body: text }; }
  }

  async function run() {
    let variables = null;
    const raw = $("variables").value.trim();
    if (raw) {
      try { variables = JSON.parse(raw); } catch (e) {
        $("result").textContent = "Variables are not valid JSON: " + e.message;
        return;
      }
    }
    $("result").textContent = "…";
    const result = await send($("query").value, variables);
    $("result").textContent = JSON.stringify(result, null, 2);
  }

  function typeName(t) {
    if (t.kind === "NON_NULL") return typeName(t.ofType) + "!";
    if (t.kind === "LIST") return "[" + typeName(t.ofType) + "]";
    return t.name;
  }

  function listFields(title, type) {
    const h = document.createElement("h3");
    h.textContent = title;
    const ul = document.createElement("ul");
    for (const f of type.fields) {
      const li = document.createElement("li");
      const args = f.args.map((a) => a.name + ": " + typeName(a.type)).join(", ");
      li.append(f.name + (args ? "(" + args + ")" : "") + ": ");
      const span = document.createElement("span");
      span.className = "type";
      span.textContent = typeName(f.type);
      li.append(span);
      ul.append(li);
    }
    $("schema").append(h, ul);
  }

  async function loadSchema() {
    const q = "{ __schema { queryType { name } mutationType { name } types { name fields { name " +
      "args { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } " +
      "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";
    const result = await send(q, null);
    $("schema").textContent = "";
    if (!result.data) { $("schema").textContent = "Could not load the schema."; return; }
    const s = result.data.__schema;
    const byName = Object.fromEntries(s.types.map((t) => [t.name, t]));
    listFields("Query", byName[s.queryType.name]);
    if (s.mutationType) listFields("Mutation", byName[s.mutationType.name]);
  }

  $("run").addEventListener("click", run);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  loadSchema();
})();
