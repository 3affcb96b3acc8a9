{#-
    Text clean-up shared by every staging model. Portable SQL (trim, nullif, translate,
    replace, lower), but for the Unicode character classes of strip_invisible and
    has_unreadable_characters, which each engine's regular expressions spell differently.
-#}

{#- clean_text(expr): trimmed text, with empty strings turned into null. -#}
{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{#-
    to_halfwidth(expr): full-width digits and the punctuation that comes with them
    (１２，３４５．６０, ２０２４－０１－０５, １２：００) mapped onto their ASCII forms,
    and the ideographic space U+3000 onto a plain space.
-#}
{% macro to_halfwidth(expr) -%}
    translate({{ expr }}, '０１２３４５６７８９．，－＋／：　', '0123456789.,-+/: ')
{%- endmacro %}

{#-
    normalise_label(expr): the key the alias seeds (industry_aliases, province_aliases,
    enum_aliases) are written in: lower case, every space removed (ASCII, tab and the
    full-width U+3000), so " Manufacturing ", "manufacturing" and "制造 业　" all match.
-#}
{% macro normalise_label(expr) -%}
    nullif(lower(replace(replace(replace(trim({{ expr }}), chr(9), ''), ' ', ''), '　', '')), '')
{%- endmacro %}

{#-
    clean_key(expr): the one normaliser of every key column (account_id, order_id, ...), so
    that one account delivered in several spellings stays one account. The trimmed text
    with the compatibility forms NFKC folds in ids mapped onto ASCII (the full-width block:
    Ａ００１ -> A001; ideographic, no-break and other typographic spaces -> a space), and
    every invisible character removed (zero-width space and joiners, BOM, soft hyphen,
    direction marks, tabs and other control characters, line separators); empty -> null.
    A key still holding a character that is no letter, digit, punctuation, symbol or space
    is quarantined (rule_key_shape: invalid_key), as is a JSON array or object (json_key).
-#}
{% macro clean_key(expr) -%}
    {#- the usual key needs only the trim: translate() with 108 characters is slow -#}
    nullif(trim(case
        when {{ is_printable_ascii(expr) }} then {{ expr }}
        else {{ strip_invisible(
            "translate(" ~ expr ~ ", '" ~ _fullwidth_forms() ~ "', '" ~ _ascii_forms() ~ "')"
        ) }}
    end), '')
{%- endmacro %}

{#- is_printable_ascii(expr): only ASCII characters and none of them a control
    character, so clean_key has nothing to map or strip. -#}
{% macro is_printable_ascii(expr) -%}
    {{ return(adapter.dispatch('is_printable_ascii', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__is_printable_ascii(expr) -%}
    {{ exceptions.raise_compiler_error(
        'is_printable_ascii: no implementation for ' ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__is_printable_ascii(expr) -%}
    (strlen({{ expr }}) = length({{ expr }})
        and not regexp_matches({{ expr }}, '[\x00-\x1f\x7f]'))
{%- endmacro %}

{% macro spark__is_printable_ascii(expr) -%}
    (octet_length({{ expr }}) = char_length({{ expr }})
        and not {{ expr }} rlike '[\\x00-\\x1f\\x7f]')
{%- endmacro %}

{#- U+FF01..U+FF5E (but ＇ and ＼, which would need escaping) and the typographic spaces
    (ideographic, no-break, en/em/thin/hair, narrow no-break, math), and their ASCII
    counterparts in the same order; returned as strings, as Jinja would trim the spaces. -#}
{% macro _fullwidth_forms() -%}
    {{ return(
        '！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠Ａ'
        ~ 'ＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［］＾＿｀ａｂ'
        ~ 'ｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～'
        ~ '\u3000\xa0\u1680\u2000\u2001\u2002\u2003\u2004'
        ~ '\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f'
    ) }}
{%- endmacro %}

{% macro _ascii_forms() -%}
    {{ return(
        '!"#$%&()*+,-./0123456789:;<=>?@A'
        ~ 'BCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`ab'
        ~ 'cdefghijklmnopqrstuvwxyz{|}~'
        ~ '                '
    ) }}
{%- endmacro %}

{#- strip_invisible(expr): `expr` without control (Cc), format (Cf: zero-width space,
    joiners, BOM, soft hyphen, direction marks) and line / paragraph separator characters. -#}
{% macro strip_invisible(expr) -%}
    {{ return(adapter.dispatch('strip_invisible', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__strip_invisible(expr) -%}
    {{ exceptions.raise_compiler_error(
        'strip_invisible: no implementation for ' ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__strip_invisible(expr) -%}
    regexp_replace({{ expr }}, '[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]', '', 'g')
{%- endmacro %}

{#- Spark's regexp_replace replaces every match and takes no flags (Java regex classes). -#}
{% macro spark__strip_invisible(expr) -%}
    regexp_replace({{ expr }}, '[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]', '')
{%- endmacro %}

{#- has_unreadable_characters(expr): a character that is no letter, mark, digit,
    punctuation, symbol or plain space (private use, unassigned, other spaces). -#}
{% macro has_unreadable_characters(expr) -%}
    {{ return(adapter.dispatch('has_unreadable_characters', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__has_unreadable_characters(expr) -%}
    {{ exceptions.raise_compiler_error(
        'has_unreadable_characters: no implementation for ' ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__has_unreadable_characters(expr) -%}
    regexp_matches({{ expr }}, '[^\p{L}\p{M}\p{N}\p{P}\p{S} ]')
{%- endmacro %}

{% macro spark__has_unreadable_characters(expr) -%}
    ({{ expr }} rlike '[^\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ]')
{%- endmacro %}
