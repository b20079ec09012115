% if has_layout:
<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>${title}<%text></%def></%text>
% else:
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
</head>
<body>
% endif
<h1>${title}</h1>
<p>This page is <code>${route_file}</code> rendering <code>${template_file}</code>.</p>
% if shown:
<dl>
% for param, expression in shown:
  <dt>${param}</dt><dd>${expression}</dd>
% endfor
</dl>
% endif
% if not has_layout:
</body>
</html>
% endif
