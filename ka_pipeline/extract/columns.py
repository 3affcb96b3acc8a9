"""Which delivered column feeds each canonical raw column, and the SQL that reads it.

The mapping's parsing happens here, in the load, so that `raw` holds canonical text that
staging's portable parsers understand: a date delivered as `2024/3/5` with the mapping's
`date_format: "%Y/%m/%d"` lands as `2024-03-05`, `1.234,50` with `decimal_separator: ","`
as `1234.50`, a status `已完成` with `values: {已完成: completed}` as `completed`.

A value that does not parse with the mapping's format is loaded exactly as delivered, so
nothing is lost: staging then either reads it with its own rules or quarantines the row
with the reason (`unparseable_date:order_date`, `non_numeric:order_amount_cny`, ...) and
the delivered value. The expressions are DuckDB SQL: the loader is DuckDB's reader.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ka_pipeline.extract.files import normalise_column_name
from ka_pipeline.mapping.schema import ColumnSpec, EntityMapping
from ka_pipeline.personal_data import holds_personal_data, redact_value

ISO_TIMESTAMP = "%Y-%m-%d %H:%M:%S"
_CURRENCY_SIGNS = ("¥", "￥")


@dataclass
class ColumnPlan:
    """Where each canonical column of one file (or one header) comes from."""

    sources: dict[str, str | None] = field(default_factory=dict)  # canonical -> their column
    missing_required: list[str] = field(default_factory=list)  # canonical, no source/default
    missing_mapped: list[str] = field(default_factory=list)  # named in `columns:`, not delivered
    duplicated: list[str] = field(default_factory=list)  # header names given twice
    extra: tuple[str, ...] = ()  # delivered columns no canonical column reads

    def describe_missing(self, mapping: EntityMapping, header: tuple[str, ...]) -> str:
        def named(canonical: str) -> str:
            source = mapping.spec(canonical).source
            return canonical if source == canonical else f"{canonical} (from {source!r})"

        parts = []
        if self.missing_required:
            parts.append(
                f"required column(s) {[named(c) for c in self.missing_required]} "
                "missing from the header"
            )
        if self.missing_mapped:
            parts.append(
                f"mapped column(s) {[named(c) for c in self.missing_mapped]} "
                "missing from the header"
            )
        # a file without its header shows its first data row here: redact it as data
        personal = holds_personal_data(mapping.entity.key)
        found = [redact_value(name, personal_entity=personal) for name in header]
        return "; ".join(parts) + f" (found {found})"


def plan_columns(mapping: EntityMapping, header: tuple[str, ...] | None) -> ColumnPlan:
    """Match the canonical columns to a delivered header (None: JSON lines, keys per row).

    A canonical column is read from the column the mapping names (`columns:`) or else from
    the column of its own name; case, spaces and a BOM do not matter.
    """
    plan = ColumnPlan()
    by_name: dict[str, str] = {}
    if header is not None:
        counts = Counter(normalise_column_name(c) for c in header)
        plan.duplicated = sorted(c for c, n in counts.items() if n > 1)
        by_name = {normalise_column_name(c): c for c in header}
    for canonical in mapping.entity.raw_columns:
        spec = mapping.spec(canonical)
        if spec.generate is not None:
            plan.sources[canonical] = None
            continue
        if header is None:  # JSON lines: the key is looked up in every line
            plan.sources[canonical] = spec.source
            continue
        found = by_name.get(normalise_column_name(spec.source))
        plan.sources[canonical] = found
        if found is None and spec.default is None:
            if canonical in mapping.entity.required:
                plan.missing_required.append(canonical)
            elif spec.explicit:
                plan.missing_mapped.append(canonical)
    used = {c for c in plan.sources.values() if c is not None}
    plan.extra = tuple(c for c in (header or ()) if c not in used)
    return plan


def select_list(mapping: EntityMapping, plan: ColumnPlan, *, json_lines: bool) -> str:
    """`<expr> as "<canonical>", ...` over a scan aliased `s` joined to deliveries `d`."""
    expressions = []
    for canonical in mapping.entity.raw_columns:
        spec = mapping.spec(canonical)
        source = plan.sources.get(canonical)
        if spec.generate == "row_id":
            expression = "concat(d.source_file, ':', s._row_number)"
        elif source is None:
            expression = _literal(spec.default) if spec.default is not None else "null"
        else:
            raw = _json_value(source) if json_lines else f"cast(s.{_ident(source)} as varchar)"
            expression = canonical_text(spec, raw)
            if json_lines and spec.default is not None:
                expression = f"coalesce({expression}, {_literal(spec.default)})"
        expressions.append(f"{expression}::varchar as {_ident(canonical)}")
    return ",\n            ".join(expressions)


def canonical_text(spec: ColumnSpec, value: str) -> str:
    """SQL: the delivered text `value` mapped and parsed to canonical text, else unchanged."""
    if spec.values:
        cases = " ".join(f"when {_literal(k)} then {_literal(v)}" for k, v in spec.values.items())
        value = f"(case trim({value}) {cases} else {value} end)"
    if spec.parse_format is not None:
        target = "%Y-%m-%d" if spec.kind == "date" else ISO_TIMESTAMP
        parsed = f"try_strptime(trim({value}), {_literal(spec.parse_format)})"
        value = f"coalesce(strftime({parsed}, {_literal(target)}), {value})"
    if spec.parses_number:
        value = _number_text(spec, value)
    return value


def is_parsed(spec: ColumnSpec, value: str) -> str:
    """SQL: true when the delivered text `value` matches the mapping's format or value map."""
    conditions = []
    if spec.values:
        conditions.append(f"trim({value}) in ({', '.join(_literal(k) for k in spec.values)})")
    if spec.parse_format is not None:
        conditions.append(f"try_strptime(trim({value}), {_literal(spec.parse_format)}) is not null")
    if spec.parses_number:
        conditions.append(f"regexp_full_match({_stripped(value)}, {_literal(_number_regex(spec))})")
    return " and ".join(conditions) or "true"


def _number_text(spec: ColumnSpec, value: str) -> str:
    """`1.234,50` (thousands `.`, decimal `,`) -> `1234.50`; other text unchanged."""
    stripped = _stripped(value)
    plain = stripped
    if spec.thousands_separator:
        plain = f"replace({plain}, {_literal(spec.thousands_separator)}, '')"
    if spec.decimal_separator and spec.decimal_separator != ".":
        plain = f"replace({plain}, {_literal(spec.decimal_separator)}, '.')"
    return (
        f"(case when regexp_full_match({stripped}, {_literal(_number_regex(spec))}) "
        f"then {plain} else {value} end)"
    )


def _number_regex(spec: ColumnSpec) -> str:
    """A number in the mapping's notation: thousands groups of three, optional decimals."""
    decimal = _regex_char(spec.decimal_separator or ".")
    integer = "[0-9]+"
    if spec.thousands_separator:
        integer = f"([0-9]{{1,3}}({_regex_char(spec.thousands_separator)}[0-9]{{3}})+|[0-9]+)"
    return f"[-+]?({integer}({decimal}[0-9]*)?|{decimal}[0-9]+)"


def _stripped(value: str) -> str:
    for sign in _CURRENCY_SIGNS:
        value = f"replace({value}, '{sign}', '')"
    return f"trim({value})"


def _regex_char(char: str) -> str:
    return "[" + ("\\" + char if char in "\\]^-[" else char) + "]"


def _json_value(key: str) -> str:
    path = '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    extracted = f"json_extract_string(s._raw_line, {_literal(path)})"
    return f"(case when json_valid(s._raw_line) then {extracted} end)"


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
