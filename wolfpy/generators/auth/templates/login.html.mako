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
<%text>## Written by `wolfpy generate auth` (routes/auth/login.py renders it); edit it freely.
## Every ${...} is HTML-escaped. The password field is never filled in again.
<section class="auth">
<h1>Sign in</h1>
% for message in flashes():
<p class="flash">${message}</p>
% endfor
% if error:
<p class="error" role="alert">${error}</p>
% endif
<form method="post" action="/auth/login">
  ${csrf_field()}
  <input type="hidden" name="next" value="${next_url}">
  <p>
    <label for="username">Username or email</label>
    <input id="username" name="username" value="${form.value('username')}" autocomplete="username"
           required autofocus>
  </p>
  <p>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
  </p>
  <button type="submit">Sign in</button>
</form>
<p>No account yet? <a href="${register_url}">Create one</a>.</p>
<p><a href="/auth/reset">Forgot your password?</a></p>
</section>
</%text>
% if not has_layout:
</body>
</html>
% endif
