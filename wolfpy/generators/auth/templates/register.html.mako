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
<%text>## Written by `wolfpy generate auth` (routes/auth/register.py renders it); edit it freely.
## Every ${...} is HTML-escaped. The password field is never filled in again.
<section class="auth">
<h1>Create an account</h1>
% for message in flashes():
<p class="flash">${message}</p>
% endfor
<form method="post" action="/auth/register">
  ${csrf_field()}
  <input type="hidden" name="next" value="${next_url}">
  <p>
    <label for="username">Username</label>
    <input id="username" name="username" value="${form.value('username')}" autocomplete="username"
           minlength="3" maxlength="150" required autofocus>
% if form.error('username'):
    <span class="error" id="username-error">${form.error('username')}</span>
% endif
  </p>
  <p>
    <label for="email">Email</label>
    <input id="email" name="email" type="email" value="${form.value('email')}" autocomplete="email"
           maxlength="254" required>
% if form.error('email'):
    <span class="error" id="email-error">${form.error('email')}</span>
% endif
  </p>
  <p>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8"
           required>
% if form.error('password'):
    <span class="error" id="password-error">${form.error('password')}</span>
% endif
  </p>
  <button type="submit">Create account</button>
</form>
<p>Have an account? <a href="${login_url}">Sign in</a>.</p>
</section>
</%text>
% if not has_layout:
</body>
</html>
% endif
