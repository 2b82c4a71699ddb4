{#- Ties are fair: rows with the same value_column get the same score in column_name. Plain ntile() fails
    this whenever a tie group straddles a bin boundary. -#}
{% test tie_fair(model, column_name, value_column) %}

with

validation_errors as (

    select
        {{ value_column }},
        count(distinct {{ column_name }}) as distinct_scores,
        min({{ column_name }}) as lowest_score,
        max({{ column_name }}) as highest_score
    from {{ model }}
    group by {{ value_column }}
    having count(distinct {{ column_name }}) > 1

)

select * from validation_errors

{% endtest %}
