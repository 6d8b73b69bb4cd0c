{#- A list of strings as an SQL value list, e.g. for `not in`: ['a', 'b'] → ('a', 'b'). The lists
    themselves are project vars (the vocabularies of api_contracts/vocabulary.py). -#}
{% macro sql_values(values) -%}
    ({%- for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%})
{%- endmacro %}
