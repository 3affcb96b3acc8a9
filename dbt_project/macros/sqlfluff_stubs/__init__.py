"""Jinja context for linting with SQLFluff's jinja templater (not used by dbt).

`.sqlfluff` loads the project's real macros (`load_macros_from_path = macros`) and this
module (`library_path`), which stands in for the parts of dbt's Jinja context that the
jinja templater lacks: `adapter.dispatch` (resolves `duckdb__<name>`, else
`default__<name>`, among the loaded macros), the `dbt` namespace of cross-database
macros, and `execute = False` (parse-time rendering, as during `dbt parse`). The SQL the
stand-ins render only has to parse: it is linted, never run.
"""

from __future__ import annotations

from jinja2 import pass_context

execute = False
graph: dict = {"sources": {}, "nodes": {}}
project_name = "ka_pipeline"
invocation_id = "00000000-0000-0000-0000-000000000000"


class _Target:
    type = "duckdb"
    name = "duckdb"
    schema = "main"
    database = "warehouse"


target = _Target()


class _Model:
    """`model`: the node being rendered (its code is read by risk_features_fingerprint)."""

    raw_code = ""


model = _Model()


def local_md5(value: str) -> str:
    import hashlib

    return hashlib.md5(value.encode()).hexdigest()


class _Adapter:
    """`adapter`: dispatch to the loaded duckdb__/default__ macro; quote identifiers."""

    @pass_context
    def dispatch(self, context, macro_name, macro_namespace=None):
        for prefix in ("duckdb__", "default__"):
            macro = context.resolve_or_missing(prefix + macro_name)
            if macro is not None and not _is_missing(macro):
                return macro
        raise NameError(f"no duckdb__/default__ implementation of {macro_name!r}")

    def quote(self, identifier):
        return f'"{identifier}"'

    def get_relation(self, **kwargs):
        return None

    def get_columns_in_relation(self, relation):
        return []


def _is_missing(value) -> bool:
    return type(value).__name__ == "_MissingType"


adapter = _Adapter()


class _Dbt:
    """`dbt.<macro>`: DuckDB renderings of dbt's cross-database macros."""

    @staticmethod
    def date_trunc(datepart, date):
        return f"date_trunc('{datepart}', {date})"

    @staticmethod
    def dateadd(datepart, interval, from_date_or_timestamp):
        return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"

    @staticmethod
    def datediff(first_date, second_date, datepart):
        return f"date_diff('{datepart}', {first_date}, {second_date})"

    @staticmethod
    def concat(fields):
        return f"concat({', '.join(fields)})"

    @staticmethod
    def hash(field):
        return f"md5(cast({field} as varchar))"

    @staticmethod
    def split_part(string_text, delimiter_text, part_number):
        return f"split_part({string_text}, {delimiter_text}, {part_number})"

    @staticmethod
    def current_timestamp():
        return "now()"

    @staticmethod
    def safe_cast(field, type):
        return f"cast({field} as {type})"

    @staticmethod
    def type_string():
        return "varchar"

    @staticmethod
    def type_int():
        return "integer"

    @staticmethod
    def type_bigint():
        return "bigint"

    @staticmethod
    def type_numeric():
        return "numeric(28, 6)"

    @staticmethod
    def type_float():
        return "double"

    @staticmethod
    def type_boolean():
        return "boolean"

    @staticmethod
    def type_timestamp():
        return "timestamp"

    @staticmethod
    def date_spine(datepart, start_date, end_date):
        return f"select cast(range as date) as date_{datepart} from range({start_date}, {end_date})"

    @staticmethod
    def any_value(expression):
        return f"any_value({expression})"

    @staticmethod
    def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
        return f"string_agg({measure}, {delimiter_text})"

    @staticmethod
    def cast_bool_to_text(field):
        return f"cast({field} as varchar)"

    @staticmethod
    def last_day(date, datepart):
        return f"last_day({date})"

    @staticmethod
    def bool_or(expression):
        return f"bool_or({expression})"

    @staticmethod
    def position(substring_text, string_text):
        return f"position({substring_text} in {string_text})"

    @staticmethod
    def replace(field, old_chars, new_chars):
        return f"replace({field}, {old_chars}, {new_chars})"

    @staticmethod
    def length(expression):
        return f"length({expression})"

    @staticmethod
    def right(string_text, length_expression):
        return f"right({string_text}, {length_expression})"

    @staticmethod
    def escape_single_quotes(expression):
        return expression.replace("'", "''")

    @staticmethod
    def string_literal(value):
        return f"'{value}'"


dbt = _Dbt()
