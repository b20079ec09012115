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
<%text>## Written by `wolfpy generate auth` (routes/auth/reset.py renders it); edit it freely.
## Every ${...} is HTML-escaped.
<section class="auth">
<h1>Reset your password</h1>
% for message in flashes():
<p class="flash">${message}</p>
% endfor
% if error:
<p class="error" role="alert">${error}</p>
% endif
% if sent:
<p class="notice" role="status">If an account uses that address, a link to choose a new password is on its
way. It works once, within the hour.</p>
% else:
<form method="post" action="/auth/reset">
  ${csrf_field()}
  <p>
    <label for="email">Email</label>
    <input id="email" name="email" type="email" value="${form.value('email')}" autocomplete="email"
           maxlength="254" required autofocus>
  </p>
  <button type="submit">Send me a link</button>
</form>
% endif
<p><a href="/auth/login">Back to sign in</a></p>
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
