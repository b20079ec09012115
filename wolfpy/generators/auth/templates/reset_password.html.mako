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
<%text>## Written by `wolfpy generate auth` (routes/auth/reset/[token].py renders it); edit it freely.
## Every ${...} is HTML-escaped.
<section class="auth">
<h1>Choose a new password</h1>
<p>For ${account.username}.</p>
<form method="post" action="/auth/reset/${token}">
  ${csrf_field()}
  <p>
    <label for="password">New password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8"
           required autofocus>
% if form.error('password'):
    <span class="error" id="password-error">${form.error('password')}</span>
% endif
  </p>
  <p>
    <label for="confirm">Repeat it</label>
    <input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
% if form.error('confirm'):
    <span class="error" id="confirm-error">${form.error('confirm')}</span>
% endif
  </p>
  <button type="submit">Set password</button>
</form>
</section>
</%text>
% if not has_layout:
</body>
</html>
% endif
