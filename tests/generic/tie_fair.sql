{#- Ties are fair: rows with the same value_column get the same score in column_name (within each group of
    the columns group_by lists, comma-separated, when scores are drawn within groups: nested binning). Plain
    ntile() fails this whenever a tie group straddles a bin boundary. -#}
{% test tie_fair(model, column_name, value_column, group_by='') %}

with

validation_errors as (

    select
        {{ group_by ~ ',' if group_by }}
        {{ value_column }},
        count(distinct {{ column_name }}) as distinct_scores,
        min({{ column_name }}) as lowest_score,
        max({{ column_name }}) as highest_score
    from {{ model }}
    group by {{ group_by ~ ',' if group_by }} {{ value_column }}
    having count(distinct {{ column_name }}) > 1

)

select * from validation_errors

{% endtest %}
