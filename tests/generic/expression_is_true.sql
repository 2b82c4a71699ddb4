{#- Every row satisfies the boolean SQL expression, as in dbt-utils (on a model or one of its columns). -#}
{% test expression_is_true(model, expression, column_name=none) %}

with

validation_errors as (

    select * from {{ model }}
    where not ({{ expression }})

)

select * from validation_errors

{% endtest %}
