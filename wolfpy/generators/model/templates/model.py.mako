"""The ${class_name} model: table ${table}.

${written_by}
"""
% if timestamps:
import datetime

% endif
${imports}
% if target_imports:

% for line in target_imports:
${line}
% endfor
% endif
% if timestamps:


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
% endif


class ${class_name}(Model):
% for f in fields:
    ${f.name} = ${f.declaration}
% endfor
% if timestamps:
    created = DateTimeField(default=utc_now)
    updated = DateTimeField(default=utc_now)

    def save(self, *args, **kwargs):
        if self._pk is not None:   # an update: keep created, move updated on
            self.updated = utc_now()
        return super().save(*args, **kwargs)
% elif not fields:
    pass
% endif
% if scaffold_str:

    def __str__(self):
        return str(self.${scaffold_str})
% endif
