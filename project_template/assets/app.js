// Scripts for __NAME__.
// `wolfpy assets build` (and `wolfpy serve`, while it runs) minifies this file into
// static/dist/ under a fingerprinted name; load it from templates/layout.html with
//   <script src="${static_url('app.js')}" defer></script>
// SCSS files in assets/ (assets/css/app.scss -> static_url('css/app.css')) are compiled too.
// Building needs the assets extra: pip install 'wolfpy[assets]'
