"""The ${class_name} model: table ${table}.

${written_by}
"""
${imports}
% if target_imports:

% for line in target_imports:
${line}
% endfor
% endif


class ${class_name}(Model):
% for f in fields:
    ${f.name} = ${f.declaration}
% endfor
% if not fields:
    pass
% endif
