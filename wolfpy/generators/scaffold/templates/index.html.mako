<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>${Humans}<%text></%def></%text>
<%text>## </%text>Written by `${command}`; edit it freely.
<section class="resource">
<header class="resource-head">
  <h1>${Humans}</h1>
  <a class="button" href="${o('url_for("' + folder + '/new")')}">New ${human}</a>
</header>
%% if page.items:
<table class="list">
  <thead>
    <tr>
% for f in listed:
      <th scope="col">${f.label}</th>
% endfor
      <th scope="col"><span class="visually-hidden">Actions</span></th>
    </tr>
  </thead>
  <tbody>
%% for ${var} in page:
    <tr>
% for i, f in enumerate(listed):
<%
    value = var + "." + f.name
    if f.kind == "bool":
        shown = o('"yes" if ' + value + ' else "no"')
    elif f.kind == "text":
        shown = o("(" + value + ' or "")[:80]')
    elif f.kind == "fk":
        shown = o(value + "_id and " + value)
    else:
        shown = o(value + ' if ' + value + ' is not None else ""')
%>\
% if i == 0:
      <td><a href="${o('url_for("' + folder + '/[id]", id=' + var + '.id)')}">${shown}</a></td>
% else:
      <td>${shown}</td>
% endif
% endfor
      <td class="actions">
        <a href="${o('url_for("' + folder + '/[id]/edit", id=' + var + '.id)')}">Edit</a>
        <a href="${o('url_for("' + folder + '/[id]/delete", id=' + var + '.id)')}">Delete</a>
      </td>
    </tr>
%% endfor
  </tbody>
</table>
<nav class="pager" aria-label="Pages">
%% if page.has_previous:
  <a href="?page=${o("page.page - 1")}" rel="prev">Newer</a>
%% endif
  <span>Page ${o("page.page")} of ${o("page.pages")}</span>
%% if page.has_next:
  <a href="?page=${o("page.page + 1")}" rel="next">Older</a>
%% endif
</nav>
%% else:
<p class="empty">No ${humans} yet. <a href="${o('url_for("' + folder + '/new")')}">Create the first one</a>.</p>
%% endif
</section>
