<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>Delete ${human} ${o(var + ".id")}<%text></%def></%text>
<%text>## </%text>Written by `${command}`; edit it freely.
<section class="resource">
<h1>Delete this ${human}?</h1>
%% if error:
<p class="error" role="alert">${o("error")}</p>
%% endif
% if title_field:
<p>“${o(var + "." + title_field)}” will be deleted. This cannot be undone.</p>
% else:
<p>${Human} ${o(var + ".id")} will be deleted. This cannot be undone.</p>
% endif
<form method="post" action="${o('url_for("' + folder + '/[id]/delete", id=' + var + '.id)')}">
  ${o("csrf_field()")}
  <button type="submit" class="danger">Delete</button>
  <a href="${o('url_for("' + folder + '/[id]", id=' + var + '.id)')}">Cancel</a>
</form>
</section>
