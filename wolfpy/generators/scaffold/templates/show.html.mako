<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>${Human} ${o(var + ".id")}<%text></%def></%text>
<%text>## </%text>Written by `${command}`; edit it freely.
<article class="resource">
<header class="resource-head">
% if title_field:
  <h1>${o(var + "." + title_field)}</h1>
% else:
  <h1>${Human} ${o(var + ".id")}</h1>
% endif
  <nav class="actions">
    <a class="button" href="${o('url_for("' + folder + '/[id]/edit", id=' + var + '.id)')}">Edit</a>
    <a class="button danger" href="${o('url_for("' + folder + '/[id]/delete", id=' + var + '.id)')}">Delete</a>
  </nav>
</header>
<dl class="details">
% for f in fields:
<%
    value = var + "." + f.name
    if f.kind == "bool":
        shown = o('"yes" if ' + value + ' else "no"')
    elif f.kind == "fk":
        shown = o(value + "_id and " + value)
    else:
        shown = o(value + ' if ' + value + ' is not None else ""')
%>\
  <dt>${f.label}</dt>
% if f.kind == "text":
  <dd class="text">${shown}</dd>
% else:
  <dd>${shown}</dd>
% endif
% endfor
% if timestamps:
  <dt>Created</dt>
  <dd>${o(var + ".created")}</dd>
  <dt>Updated</dt>
  <dd>${o(var + ".updated")}</dd>
% endif
</dl>
<p><a href="${o('url_for("' + folder + '/index")')}">← All ${humans}</a></p>
</article>
