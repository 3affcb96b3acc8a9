{#-
    Text clean-up shared by every staging model. All of these are portable SQL
    (trim, nullif, translate, replace, lower), so they need no dispatch.
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
