{#- A row invariant: every row satisfies the expression (a row where it is null passes, as in dbt_utils'
    test of the same name). Declared on a column, the expression is still written out whole. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
