<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>Edit ${human} ${o(var + ".id")}<%text></%def></%text>
<%text>## </%text>Written by `${command}`; edit it freely.
<section class="resource">
<h1>Edit ${human}</h1>
<%text><%include file="_form.html" </%text>args="form=form, action=url_for('${folder}/[id]', id=${var}.id), submit='Save changes'"/>
<p><a href="${o('url_for("' + folder + '/[id]", id=' + var + '.id)')}">← Back to the ${human}</a></p>
</section>
