{#- The columns together identify a row (a composite grain), as in dbt-utils. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

validation_errors as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from validation_errors

{% endtest %}
