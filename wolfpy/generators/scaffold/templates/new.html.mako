<%text><%inherit file="/layout.html"/></%text>
<%text><%def name="page_title()"></%text>New ${human}<%text></%def></%text>
<%text>## </%text>Written by `${command}`; edit it freely.
<section class="resource">
<h1>New ${human}</h1>
<%text><%include file="_form.html" </%text>args="form=form, action=url_for('${folder}/index'), submit='Create ${human}'"/>
<p><a href="${o('url_for("' + folder + '/index")')}">← All ${humans}</a></p>
</section>
