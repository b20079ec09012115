<%text><%page args="form, action, submit"/></%text>
<%text>## </%text>The ${human} form of new.html and edit.html. Written by `${command}`; edit it freely.
<%text>## </%text>form.field(name) writes the label, the input with its value, and its error.
<form method="post" action="${o("action")}" class="resource-form">
  ${o("csrf_field()")}
%% if form.error("__all__"):
  <p class="error" role="alert">${o('form.error("__all__")')}</p>
%% endif
% for f in fields:
  ${o('form.field("' + f.name + '")')}
% endfor
  <button type="submit">${o("submit")}</button>
</form>
