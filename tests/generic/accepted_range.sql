{#- Every value of column_name lies between min_value and max_value (either may be omitted), as in dbt-utils. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

with

meet_condition as (

    select * from {{ model }}
    where {{ column_name }} is not null

),

validation_errors as (

    select * from meet_condition
    where
        1 = 2
        {%- if min_value is not none %}
        or not {{ column_name }} >{{ '=' if inclusive }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or not {{ column_name }} <{{ '=' if inclusive }} {{ max_value }}
        {%- endif %}

)

select * from validation_errors

{% endtest %}
