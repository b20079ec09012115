<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="theme-color" content="${color}">
  <title>Offline · ${name | h}</title>
  <style>
    body { margin: 0; min-height: 100vh; display: grid; place-items: center; font: 16px/1.5 system-ui, sans-serif;
           color: #1d2330; background: #f5f6f8; }
    main { max-width: 28rem; padding: 2rem; text-align: center; }
    .mark { width: 4rem; height: 4rem; border-radius: 1rem; background: ${color}; margin: 0 auto 1rem; }
    button { padding: .5rem 1.2rem; border: 0; border-radius: .4rem; background: ${color}; color: #fff;
             font: inherit; cursor: pointer; }
  </style>
</head>
<body>
  <main>
    <div class="mark" aria-hidden="true"></div>
    <h1>You are offline</h1>
    <p>${name | h} cannot be reached right now. Pages you opened before still work; this one will
       load when the connection is back.</p>
    <button type="button" onclick="location.reload()">Try again</button>
  </main>
</body>
</html>
