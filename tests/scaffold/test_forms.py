"""wolfpy.forms.Form bound to models and dataclasses: pre-filling, validation, saving, HTML."""
from __future__ import annotations

import dataclasses
import datetime
import decimal
from typing import Any, Iterator

import peewee
import pytest

from wolfpy.db import (BooleanField, CharField, DateField, DecimalField, FloatField, ForeignKeyField, IntegerField,
                       Model, TextField)
from wolfpy.forms import FORM_ERROR, FieldError, Form
from wolfpy.http.datastructures import MultiDict


class Author(Model):
    name = CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


class Article(Model):
    title = CharField(max_length=20)
    body = TextField(null=True)
    published = BooleanField(default=False)
    views = IntegerField(default=0)
    due = DateField(null=True)
    author = ForeignKeyField(Author, backref="articles")
    price = DecimalField(max_digits=6, decimal_places=2, null=True)
    score = FloatField(null=True)


class Posted:
    """Enough of a request for a form: a method and a form body."""

    def __init__(self, **form: Any) -> None:
        self.method = "POST"
        self.form = MultiDict(list(form.items()))


@pytest.fixture
def db() -> Iterator[peewee.Database]:
    database = peewee.SqliteDatabase(":memory:", pragmas={"foreign_keys": 1})
    with database.bind_ctx([Author, Article]):
        database.create_tables([Author, Article])
        yield database
    database.close()


def test_an_edit_form_is_filled_in_and_a_new_one_takes_initial(db: Any) -> None:
    ada = Author.create(name="Ada")
    article = Article.create(title="Hello", body="Text", published=True, views=3,
                             due=datetime.date(2024, 5, 17), author=ada)
    form = Form(Article, instance=article)
    assert form.fields == ["title", "body", "published", "views", "due", "author", "price", "score"]
    assert not form.submitted and not form.valid
    assert form.value("title") == "Hello" and form.value("due") == "2024-05-17" and form.value("author") == ada.id
    html = str(form.field("title"))
    assert '<label for="title">Title</label>' in html and 'value="Hello"' in html and 'maxlength="20"' in html
    assert "checked" in str(form.field("published"))
    assert f'<option value="{ada.id}" selected>Ada</option>' in str(form.field("author"))
    assert "<textarea" in str(form.field("body")) and ">Text</textarea>" in str(form.field("body"))
    blank = Form(Article, initial={"title": "Draft"})
    assert blank.value("title") == "Draft" and blank.value("views") == 0 and blank.value("body") == ""
    with pytest.raises(KeyError):
        form.field("nope")


def test_a_posted_form_converts_validates_and_saves(db: Any) -> None:
    ada = Author.create(name="Ada")
    form = Form(Article, Posted(title="New", body="", views="7", due="2024-01-02", author=str(ada.id)))
    assert form.valid, form.errors
    assert form.data == {"title": "New", "body": None, "published": False, "views": 7,
                         "due": datetime.date(2024, 1, 2), "author": ada.id}   # price, score: not sent
    article = form.save()
    assert article.id and Article.get_by_id(article.id).views == 7
    # Updating through instance=
    edit = Form(Article, Posted(title="Renamed", views="8", author=str(ada.id), published="on"), instance=article)
    assert edit.save() is article
    assert Article.get_by_id(article.id).title == "Renamed" and Article.get_by_id(article.id).published is True


def test_mistakes_land_on_their_fields_with_the_input_kept(db: Any) -> None:
    form = Form(Article, Posted(title="x" * 21, views="many", due="someday", author="999", published="maybe"))
    assert not form.valid
    assert form.errors == {"title": "Use at most 20 characters (this has 21).", "views": "Enter a whole number.",
                           "due": "Enter a date like 2024-05-17.", "author": "Choose an existing author.",
                           "published": "Choose yes or no."}
    assert form.value("views") == "many"
    html = str(form.field("views"))
    assert 'aria-invalid="true"' in html and 'aria-describedby="views-error"' in html
    assert '<p class="error" id="views-error">Enter a whole number.</p>' in html
    assert form.save() is None
    assert Form(Article, Posted(title="", author="")).errors["title"] == "This field is required."
    hostile = str(Form(Article, Posted(title='"><script>x</script>')).field("title"))
    assert "<script>" not in hostile and "&#34;&gt;&lt;script&gt;" in hostile


def test_values_no_column_can_hold_are_field_errors(db: Any) -> None:
    form = Form(Article, Posted(title="a\x00b", views=str(2**31), author=str(2**63), price="12345.6",
                                score="1e999"))
    assert form.errors == {"title": "Remove the NUL character.",
                           "views": "Enter a whole number from -2147483648 to 2147483647.",
                           "author": "Choose one of the options.", "price": "Enter a number below 10,000.",
                           "score": "Enter a number."}
    ada = Author.create(name="Ada")
    ok = Form(Article, Posted(title="t", author=str(ada.id), price="9.999", score="-2.5"))
    assert ok.data["price"] == decimal.Decimal("10.00") and ok.data["score"] == -2.5


def test_validate_methods_and_unique_constraints(db: Any) -> None:
    class AuthorForm(Form):
        def validate_name(self, value: str) -> str:
            if value.lower() == "admin":
                raise ValueError("This name is reserved.")
            return value.strip()

    assert AuthorForm(Author, Posted(name="admin")).errors == {"name": "This name is reserved."}
    saved = AuthorForm(Author, Posted(name="  Grace ")).save()
    assert saved.name == "Grace"
    taken = Form(Author, Posted(name="Grace"))
    assert taken.errors == {"name": "This name is taken already: choose another."}
    assert Form(Author, Posted(name="Grace"), instance=saved).valid   # its own name is fine
    # The database's constraint, when the check above is raced: mapped to the field.
    racing = Form(Author, Posted(name="Linus"))
    Author.create(name="Linus")
    assert racing.valid and racing.save() is None
    assert racing.errors == {"name": "This value is taken already: choose another."}


def test_a_foreign_key_constraint_is_a_field_error(db: Any) -> None:
    ada = Author.create(name="Ada")
    form = Form(Article, Posted(title="T", author=str(ada.id)))
    assert form.valid
    ada.delete_instance()   # gone between the check and the save
    assert form.save() is None
    assert form.errors == {"author": "Choose an existing one."}


@dataclasses.dataclass
class Booking:
    start: datetime.date
    end: datetime.date
    guests: int = 1

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise FieldError("end", "The end comes after the start.")
        if self.guests > 8:
            raise ValueError("guests: at most 8 people")
        if self.guests < 1:
            raise ValueError("nobody is coming")


def test_post_init_errors_land_on_their_field() -> None:
    form = Form(Booking, Posted(start="2024-05-02", end="2024-05-01"))
    assert form.errors == {"end": "The end comes after the start."}
    assert Form(Booking, Posted(start="2024-05-01", end="2024-05-02", guests="9")).errors == \
        {"guests": "At most 8 people"}
    assert Form(Booking, Posted(start="2024-05-01", end="2024-05-02", guests="0")).errors == \
        {FORM_ERROR: "nobody is coming"}
    ok = Form(Booking, Posted(start="2024-05-01", end="2024-05-02"))
    assert ok.valid and ok.data == Booking(datetime.date(2024, 5, 1), datetime.date(2024, 5, 2))
    with pytest.raises(TypeError):
        ok.save()


def test_json_data_and_partial_updates(db: Any) -> None:
    ada = Author.create(name="Ada")
    form = Form(Article, data={"title": "API", "author": ada.id, "published": True, "views": 2})
    article = form.save()
    assert article is not None and article.published is True
    patch = Form(Article, data={"views": 5}, instance=article, partial=True)
    assert patch.save() is article and Article.get_by_id(article.id).title == "API"
    assert Form(Article, data={"title": 5, "author": ada.id, "published": "yes"}).errors == \
        {"title": "Enter text.", "published": "Choose yes or no."}
    assert Form(Article, data={"author": ada.id}).errors == {"title": "This field is required."}


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 50_000, "NaN", "1e999999", "[Infinity]"])
def test_a_json_field_refuses_deep_nesting_and_non_finite_numbers(text: str) -> None:
    # Deep nesting raised RecursionError (a 500); NaN and 1e999999 (inf) were stored.
    from wolfpy.db import JSONField

    class Doc(Model):
        data = JSONField(null=True)

    form = Form(Doc, Posted(data=text))
    assert not form.valid and form.errors["data"] == "Enter valid JSON."
    assert Form(Doc, Posted(data='{"a": [1, 2.5]}')).cleaned == {"data": {"a": [1, 2.5]}}
