% if has_layout:
<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()">Sign-in failed</%def></%text>
% else:
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign-in failed</title>
</head>
<body>
% endif
<%text>## Written by `wolfpy generate oauth` (routes/auth/oauth/*/callback.py renders it); edit it freely.
## Every ${...} is HTML-escaped.
<section class="auth">
<h1>Sign-in with ${title} failed</h1>
<p class="error" role="alert">${message}</p>
<p>Nothing was changed. <a href="${retry_url}">Try again</a> or <a href="/auth/login">sign in with a password</a>.</p>
</section>
</%text>
% if not has_layout:
</body>
</html>
% endif
