// Scripts for __NAME__.
// WolfPy does not build or serve assets/: only static/ is served, at /static/. To use this
// script, move it to static/js/app.js and load it from templates/layout.html:
//   <script src="${static_url('js/app.js')}" defer></script>
