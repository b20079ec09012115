% if has_layout:
<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>${title}<%text></%def></%text>
% else:
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
</head>
<body>
% endif
<%text>## Written by `wolfpy generate auth` (the reset and confirmation routes renders it); edit it freely.
## Every ${...} is HTML-escaped.
<section class="auth">
<h1>This link no longer works</h1>
% if problem == "expired":
<p role="alert">This ${what} link has expired.</p>
% else:
<p role="alert">This ${what} link was already used, or is not valid any more.</p>
% endif
<p><a href="${again_url}">Ask for a new link</a> or <a href="/auth/login">sign in</a>.</p>
</section>
</%text>
% if not has_layout:
</body>
</html>
% endif
