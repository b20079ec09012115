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
<%text>## Written by `wolfpy generate auth` (routes/auth/confirm.py and routes/auth/confirm/[token].py renders it); edit it freely.
## Every ${...} is HTML-escaped.
<section class="auth">
<h1>Confirm your email address</h1>
% for message in flashes():
<p class="flash">${message}</p>
% endfor
% if token:
<form method="post" action="/auth/confirm/${token}">
  ${csrf_field()}
  <button type="submit">Confirm my address</button>
</form>
% else:
<p role="status">We have sent you a link: open it to confirm your address, then you are signed in.</p>
<p>No mail? Look in your spam folder, or <a href="/auth/reset">ask for a password reset link</a>,
which confirms the address too.</p>
% endif
% if user:
<form method="post" action="/auth/logout">
  ${csrf_field()}
  <button type="submit">Sign out</button>
</form>
% endif
</section>
</%text>
% if not has_layout:
</body>
</html>
% endif
